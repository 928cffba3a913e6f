"""Issue 9, hostile input: every bad spec, option or API argument gets one clear line, never a traceback."""
from __future__ import annotations

import pytest

from helpers import checked
from symcalc.cli import main

HEADER = 'title = "T"\nexpression = "x**2"\n'


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def spec_error(tmp_path, capsys, body, name="mine.toml"):
    """Exit code 2 and the one-line message for a spec file holding ``body``."""
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    code, out, err = run(capsys, "derive", path)
    assert code == 2 and out == "" and "Traceback" not in err, (code, out, err)
    assert err.startswith(f"symcalc: {path}") and err.count("\n") == 1, err
    return err


# ---------------------------------------------------------------- the spec schema

@pytest.mark.parametrize("line, message", [
    ("wrt = 5", "wrt must be a list of variable names, not 5"),
    ("wrt = true", "wrt must be a list of variable names, not True"),
    ("wrt = []", "wrt must name at least one variable"),
    ("wrt = [5]", "wrt must be a variable name (an identifier such as w or x_1), not 5"),
    ('wrt = ["x\\\\input{/etc/hostname}"]', "is not a valid name"),
    ('wrt = ["x y"]', "is not a valid name"),
    ('wrt = ["sin"]', "is a function"),
    ('wrt = "x"\nintermediates = 5', "intermediates must be a list of variable names, not 5"),
    ('wrt = "x"\nintermediates = ["u}"]', "intermediates: 'u}' is not a valid name"),
    ('wrt = "x"\ndefine = [5]', "define 1 must be a string, not 5"),
    ('wrt = "x"\nnotes = 5', "notes must be a list of strings, not 5"),
    ('wrt = "x"\nnotes = [[1]]', "notes 1 must be a string"),
    ('wrt = "x"\noutput = 5', "output must be a variable name (an identifier such as w or x_1), not 5"),
    ('wrt = "x"\nexpresion = "x"', "unknown keys expresion"),
    ('wrt = "x"\ndemo = "other"', "demo must be one of 'neuron'"),
    ('wrt = "x"\nvectors = ["w"]', "vectors must be a string"),
])
def test_bad_fields_name_the_field_and_the_file(tmp_path, capsys, line, message):
    assert message in spec_error(tmp_path, capsys, HEADER + line + "\n")


@pytest.mark.parametrize("body, message", [
    ('title = "T"\npart = 5\n', "part must be one or more [[part]] tables, not 5"),
    ('title = "T"\npart = [5]\n', "part 1 must be a table ([[part]]), not 5"),
    ('title = "T"\npart = []\n', "part must be one or more [[part]] tables, not []"),
    ('title = "T"\n[part]\nexpression = "x"\nwrt = "x"\n', "write [[part]]"),
    ('title = "T"\n[[part]]\nexpression = "x"\nwrt = "x"\n[[part]]\nexpression = "x"\nwrt = 5\n',
     "part 2: wrt must be a list of variable names, not 5"),
    ('title = "T"\n[[part]]\nwrt = "x"\n', "part 1: missing key 'expression'"),
    ('expression = "x"\nwrt = "x"\n', "missing key 'title'"),
    ('title = 5\nexpression = "x"\nwrt = "x"\n', "title must be a string, not 5"),
])
def test_bad_parts(tmp_path, capsys, body, message):
    assert message in spec_error(tmp_path, capsys, body)


def test_output_may_not_be_a_variable_of_the_expression(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(HEADER + 'wrt = "x"\noutput = "x"\n', encoding="utf-8")
    code, out, err = run(capsys, "derive", path)
    assert code == 2 and out == "" and "x is a variable of the expression" in err


def test_free_text_is_bounded_and_free_of_terminal_escapes(tmp_path, capsys):
    err = spec_error(tmp_path, capsys, 'title = "T\\u001b[2J"\nexpression = "x"\nwrt = "x"\n')
    assert "U+001B" in err and "\x1b" not in err
    err = spec_error(tmp_path, capsys, f'title = "{"a" * 2001}"\nexpression = "x"\nwrt = "x"\n')
    assert "2001 characters long; the limit is 2000" in err
    err = spec_error(tmp_path, capsys, HEADER + 'wrt = "x"\nnotes = ["fine", "\\u009b31m"]\n')
    assert "notes 2 contains the control character U+009B" in err


def test_newlines_and_tabs_in_notes_and_subscript_names_are_fine(tmp_path, capsys):
    path = tmp_path / "ok.toml"
    path.write_text('title = "T"\nexpression = "x₁**2"\nwrt = "x₁"\noutput = "f"\nnotes = """two\n\tlines"""\n',
                    encoding="utf-8")
    from symcalc import catalog

    (d,) = catalog.load(path).derivations()
    assert str(checked(d).closed_form()) == "2x₁"
    code, out, err = run(capsys, "derive", path)
    assert code == 0 and "two\n\tlines" in out and "df/dx₁" in out.replace("∂", "d")


# ---------------------------------------------------------------- spec file type and size

def test_a_symlink_to_dev_zero_and_a_fifo_are_refused_unread(tmp_path, capsys):
    import os

    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    assert "is not a regular file" in spec_error_at(tmp_path / "zero.toml", capsys)
    os.mkfifo(tmp_path / "fifo.toml")  # opening it for reading would block until a writer came
    assert "is not a regular file" in spec_error_at(tmp_path / "fifo.toml", capsys)
    (tmp_path / "dir.toml").mkdir()
    assert "is not a regular file" in spec_error_at(tmp_path / "dir.toml", capsys)


def spec_error_at(path, capsys):
    code, out, err = run(capsys, "derive", path)
    assert code == 2 and out == "" and err.count("\n") == 1 and "Traceback" not in err, err
    return err


def test_a_large_spec_file_is_refused(tmp_path, capsys):
    path = tmp_path / "big.toml"
    path.write_text(HEADER + 'wrt = "x"\n' + "# padding\n" * 30_000, encoding="utf-8")
    assert "larger than 256 kB" in spec_error_at(path, capsys)


def test_non_utf8_and_toml_syntax_errors_give_the_line(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_bytes(HEADER.encode() + b'wrt = "\xff"\n')
    assert "mine.toml: line 3: byte 0xff is not UTF-8" in spec_error_at(path, capsys)
    err = spec_error(tmp_path, capsys, HEADER + "wrt = x\n")
    assert "mine.toml: not valid TOML" in err and "line 3" in err
    assert "no such spec file" in spec_error_at(tmp_path / "missing.toml", capsys)


# ---------------------------------------------------------------- options at entry

@pytest.mark.parametrize("option, value, message", [
    ("--seed", "-1", "--seed must be an integer from 0 to 4294967295, not -1"),
    ("--seed", str(2**32), "--seed must be an integer from 0 to 4294967295"),
    ("--samples", "0", "--samples must be an integer from 1 to 1000, not 0"),
    ("--samples", "1001", "--samples must be an integer from 1 to 1000, not 1001"),
    ("--dims", "n=0", "size from 1 to 1000"),
    ("--dims", "n=1001", "size from 1 to 1000"),
    ("--dims", "n=²", "size from 1 to 1000"),
    ("--dims", "x}=3", "--dims: 'x}' is not a valid name"),
    ("--wrt", "x\\input{/etc/hostname}", "--wrt: 'x\\\\input{/etc/hostname}' is not a valid name"),
    ("--wrt", "x\udcff", "--wrt: 'x\\udcff' is not a valid name"),
])
def test_options_are_bounded_at_entry(capsys, option, value, message):
    code, out, err = run(capsys, "derive", "x**2", "--wrt", "x", option, value, "--check")
    assert code == 2 and out == "" and message in err and err.count("\n") == 1, err


def test_a_surrogate_in_wrt_with_out_is_refused_before_writing(tmp_path, capsys):
    path = tmp_path / "a.txt"
    code, out, err = run(capsys, "derive", "x**2", "--wrt", "x\udcff", "--out", path)
    assert code == 2 and not path.exists() and "not a valid name" in err


def test_control_characters_never_reach_the_terminal(capsys):
    code, out, err = run(capsys, "derive", "x\x1b[2J", "--wrt", "x")
    assert code == 2 and "\x1b" not in err and "unexpected character" in err
    with pytest.raises(SystemExit) as exit_:
        main(["derive", "x", "\x1b[31m", "--wrt", "x"])
    assert exit_.value.code == 2 and "\x1b" not in capsys.readouterr().err


def test_ctrl_c_is_one_line_and_exit_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr("symcalc.cli._derive", interrupted)
    assert run(capsys, "derive", "neuron") == (130, "", "symcalc: interrupted\n")


# ---------------------------------------------------------------- --out loses nothing

def test_out_dash_is_standard_output(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "derive", "x**3", "--wrt", "x", "--out", "-")
    assert code == 0 and "3x²" in out and not (tmp_path / "-").exists()


def test_out_replaces_whole_files_and_says_so(tmp_path, capsys):
    path = tmp_path / "d.md"
    assert run(capsys, "derive", "x**3", "--wrt", "x", "--out", path)[1:] == ("", f"symcalc: wrote {path} (markdown)\n")
    path.chmod(0o640)
    code, out, err = run(capsys, "derive", "sin(x)", "--wrt", "x", "--out", path)
    assert code == 0 and err == f"symcalc: overwrote {path}\n" and "cos" in path.read_text(encoding="utf-8")
    assert path.stat().st_mode & 0o777 == 0o640 and sorted(p.name for p in tmp_path.iterdir()) == ["d.md"]


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, capsys, monkeypatch):
    import errno
    import os

    path = tmp_path / "d.txt"
    path.write_text("precious", encoding="utf-8")

    def full_disk(src, dst):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "replace", full_disk)
    code, out, err = run(capsys, "derive", "x**3", "--wrt", "x", "--out", path)
    assert code == 2 and "No space left on device" in err
    assert path.read_text(encoding="utf-8") == "precious" and [p.name for p in tmp_path.iterdir()] == ["d.txt"]


def test_out_into_a_folder_or_a_missing_folder_is_an_error(tmp_path, capsys):
    for target, message in [(tmp_path, "it is a folder"), (tmp_path / "no" / "d.txt", "No such file")]:
        code, out, err = run(capsys, "derive", "x**3", "--wrt", "x", "--out", target)
        assert code == 2 and message in err and err.count("\n") == 1


# ---------------------------------------------------------------- the Python API

def test_api_arguments_of_the_wrong_type_raise_symcalc_errors():
    import symcalc as sc

    with pytest.raises(sc.SymcalcError, match="vector declarations must be a string"):
        sc.derive("x", "x", vectors=5)
    with pytest.raises(sc.SymcalcError, match="names must be a list"):
        sc.derive("x", "x", names=5)
    d = checked(sc.derive("w @ w", "w", vectors="w"))
    for kwargs, message in [({"dims": {"n": 0}}, "from 1 to 1000, not 0"), ({"dims": [3]}, "dims must be a dict"),
                            ({"samples": 0}, "samples must be"), ({"samples": "3"}, "samples must be"),
                            ({"seed": -1}, "seed must be")]:
        with pytest.raises(sc.SymcalcError, match=message):
            d.check(**kwargs)
