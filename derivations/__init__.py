"""The catalog of named derivations: one TOML spec per entry (installed as symcalc.derivations)."""
