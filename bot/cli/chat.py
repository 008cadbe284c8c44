"""`porte-voix chat`: talk through a flow in the terminal."""

from __future__ import annotations

import click

from bot.cli.context import pass_settings
from bot.settings import Settings


@click.command()
@click.argument("flow_id")
@click.option("--easy", is_flag=True, help="Read in easy-read French.")
@pass_settings
def chat(settings: Settings, flow_id: str, easy: bool) -> None:
    """Talk through a flow in the terminal (for flow authors; nothing is saved)."""
    from bot.container import build_interpreter
    from flows import engine
    from flows.events import Input, Prefs
    from flows.loader import load_directory
    from nlu.interpretation import Expectation

    flows = load_directory(settings.flows_dir)
    if flow_id not in flows:
        raise click.ClickException(f"no flow '{flow_id}' (have: {', '.join(flows)})")
    flow = flows[flow_id]
    interpreter = build_interpreter(settings)
    sprint = engine.start(flow, Prefs(easy=easy))
    while True:
        expects = Expectation()
        for message in sprint.messages():
            click.echo(click.style(message.text, bold=message.role == "prompt"))
            for number, choice in enumerate(message.choices, 1):
                click.echo(f"  {number}. {choice.icon} {choice.label}")
            if message.expects != "none":
                expects = Expectation(message.expects,
                                      tuple((c.key, c.label) for c in message.choices))  # fmt: skip
        if sprint.state.status not in ("active", "paused"):
            click.echo(f"[run {sprint.state.status}]")
            return
        try:
            text = click.prompt(">", prompt_suffix=" ")
        except (click.Abort, EOFError):
            click.echo()
            return
        meaning = interpreter.interpret(text, expects)
        if meaning.choice:
            inp = Input.choose(meaning.choice)
        elif meaning.command:
            inp = Input.command(meaning.command)
        else:
            inp = Input.say(text)
        sprint = engine.resume(flow, sprint.state, inp)
