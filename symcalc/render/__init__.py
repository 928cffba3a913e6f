"""Renderers: each lays out the same list of steps in one format; none derives anything."""
