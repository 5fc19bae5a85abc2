"""README.md's oauthctl examples and synopsis against oauthctl's own parser (``scripts.oauthctl_cli.main.parser``):
an example that would not parse, or a command or option the README names and oauthctl lacks, fails here."""

from __future__ import annotations

import re
import shlex
from typing import TYPE_CHECKING

import pytest

from tests.readme import README, fenced

if TYPE_CHECKING:
    import argparse

GLOBAL_OPTIONS = ("--stack", "--region", "--output")  # oauthctl takes them anywhere on the line


def _oauthctl() -> argparse.ArgumentParser:
    from scripts.oauthctl_cli.main import parser

    return parser()


def _without_global_options(words: list[str]) -> list[str]:
    rest, skip = [], False
    for word in words:
        if skip:
            skip = False
        elif word in GLOBAL_OPTIONS:
            skip = True
        elif not word.startswith(tuple(f"{o}=" for o in GLOBAL_OPTIONS)):
            rest.append(word)
    return rest


def _examples() -> list[list[str]]:
    """The words after ``scripts/oauthctl`` of every command in a code block, up to a pipe, redirection or
    comment (a ``...`` placeholder is not a command)."""
    found = []
    for body in fenced(README, "sh"):
        for line in body.splitlines():
            # at the start of a command line, or after a pipe
            for start in [m.end() for m in re.finditer(r"(?:^(?:\$ )?|\| )(?:[A-Z_]+=\S* )*scripts/oauthctl(?= )",
                                                         line)]:
                lexer = shlex.shlex(line[start:], posix=True, punctuation_chars="|&;<>")
                lexer.whitespace_split, lexer.commenters = True, "#"
                words = []
                for word in lexer:
                    if word[0] in "|&;<>" or re.fullmatch(r"\d*>+.*", word):
                        break
                    words.append(word)
                if words and words[0] != "...":
                    found.append(words)
    return found


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _commands() -> dict[tuple[str, ...], argparse.ArgumentParser]:
    """Every command of oauthctl by its words (``("clients", "create")``, ``("export",)``)."""
    found = {}
    for group, sub in _subparsers(_oauthctl()).items():
        commands = _subparsers(sub)
        found.update({(group, name): p for name, p in commands.items()} if commands else {(group,): sub})
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for action in parser._actions for o in action.option_strings} | set(GLOBAL_OPTIONS)


def test_every_oauthctl_example_parses():
    examples = _examples()
    assert len(examples) >= 8, "the examples were found"
    for words in examples:
        try:
            _oauthctl().parse_args(_without_global_options(words))
        except SystemExit:
            pytest.fail(f"README: scripts/oauthctl {shlex.join(words)} does not parse")


def _alternatives(line: str) -> list[str]:
    """The parts of a synopsis line between `` | ``; a ``|`` inside ``[...]`` separates an option from its
    ``--no-`` form and stays."""
    depth, parts, current = 0, [], ""
    for char in line.strip().removeprefix("|"):
        depth += {"[": 1, "]": -1}.get(char, 0)
        if char == "|" and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p.strip() for p in [*parts, current] if p.strip()]


def _synopsis() -> list[tuple[tuple[str, ...], str]]:
    """``(command words, its part of the line)`` of the README's synopsis block (``oauthctl clients create
    --client-id ID ...``, alternatives separated by `` | ``)."""
    (block,) = [b for b in fenced(README) if b.startswith("oauthctl clients create")]
    found: list[tuple[tuple[str, ...], str]] = []
    group = ""
    for line in block.splitlines():
        if line.startswith("global options"):
            continue
        if line.startswith("oauthctl "):
            group, line = line.split()[1], " ".join(line.split()[2:])
            if (group, line.split()[0] if line else "") not in _commands():
                found.append(((group,), ""))  # a command without subcommands: `oauthctl export [--file PATH]`
        for part in _alternatives(line):
            if part.startswith(("-", "[")) and found:  # more options of the command before
                found[-1] = (found[-1][0], f"{found[-1][1]} {part}")
            elif (group, part.split()[0]) in _commands():
                found.append(((group, part.split()[0]), part))
            else:
                found.append(((group,), part))
    return found


def test_the_synopsis_names_every_command_and_only_options_they_take():
    commands = _commands()
    named = _synopsis()
    assert {words for words, _ in named} == set(commands)
    for words, text in named:
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", text):
            assert option in _options(commands[words]), f"oauthctl {' '.join(words)} has no {option}"


def test_the_synopsis_of_clients_create_lists_every_option_it_takes():
    commands = _commands()
    text = " ".join(t for words, t in _synopsis() if words == ("clients", "create"))
    taken = _options(commands[("clients", "create")]) - {"-h", "--help", *GLOBAL_OPTIONS}
    assert taken == set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", text))


def test_oauthctl_commands_named_in_the_text_exist_with_the_options_named():
    """`oauthctl users revoke-authorization USER CLIENT` in a sentence: the command and options exist."""
    commands = _commands()
    mentions = re.findall(r"`(?:scripts/)?oauthctl ([a-z][^`]*)`", README)
    assert len(mentions) >= 5
    for mention in mentions:
        group, *rest = mention.split()
        names = rest[0].split("|") if rest and (group, rest[0].split("|")[0]) in commands else [None]
        for name in names:
            words = (group, name) if name else (group,)
            assert words in commands, f"README names oauthctl {mention!r}"
            for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", mention):
                assert option in _options(commands[words]), f"oauthctl {' '.join(words)} has no {option}"
