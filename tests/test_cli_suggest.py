"""An unknown command that is a relation word points to ``diplograph who``."""

from __future__ import annotations

from conftest import last_error


def test_a_relation_type_as_a_command_suggests_who(cli):
    result = cli("released", "Tsikhanouski")
    assert result.exit_code == 2
    assert last_error(result) == (
        "Error: no command 'released' (did you mean 'diplograph who released Tsikhanouski'?)"
    )


def test_a_word_for_a_relation_suggests_its_type(cli):
    result = cli("freed", "Siarhei Tsikhanouski")
    assert result.exit_code == 2
    assert "did you mean \"diplograph who released 'Siarhei Tsikhanouski'\"?" in last_error(result)
    assert "diplograph who sanctions Belarus" in last_error(cli("Sanctions", "Belarus"))


def test_other_unknown_commands_keep_their_message(cli):
    assert "Did you mean 'who-met'?" in last_error(cli("who-mett", "X"))
    bogus = cli("bogus")
    assert bogus.exit_code == 2
    assert "who" not in last_error(bogus)
