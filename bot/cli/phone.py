"""`porte-voix phone`: webhook URLs to configure, what is set, and the SMS cost of a flow."""

from __future__ import annotations

import click

from bot.cli.context import pass_settings
from bot.settings import Settings


@click.group("phone")
def phone_command() -> None:
    """SMS and phone calls (Twilio, the Android SMS gateway)."""


@phone_command.command("setup")
@pass_settings
def setup(settings: Settings) -> None:
    """Print the webhook URLs to configure and which secrets are set (never their values)."""
    from bot.channels.gateway.sms_gateway import WEBHOOK_PATH, GatewayConfig
    from bot.channels.twilio.api import STATUS_PATH, TwilioConfig
    from bot.channels.twilio.voice_twiml import VOICE_PATH

    twilio, gateway = TwilioConfig.load(settings), GatewayConfig.load(settings)
    base = settings.public_base_url
    if not base.startswith("https://"):
        click.echo(f"warning: public_base_url {base} is not HTTPS; Twilio and the phone must reach it")
    click.echo("Twilio (phone number > Messaging / Voice, HTTP POST):")
    click.echo(f"  A message comes in: {base}/webhooks/twilio/sms")
    click.echo(f"  A call comes in:    {base}{VOICE_PATH}")
    click.echo(f"  Status callbacks:   {base}{STATUS_PATH} (set on each message sent)")
    for name, value in (("TWILIO_ACCOUNT_SID", twilio.account_sid),
                        ("TWILIO_AUTH_TOKEN", twilio.auth_token),
                        ("sender (from number or messaging service)",
                         twilio.from_number or twilio.messaging_service_sid)):  # fmt: skip
        click.echo(f"  {name}: {'set' if value else 'MISSING'}")
    click.echo("SMS Gateway for Android:")
    click.echo(f"  API: {gateway.url or 'MISSING (config.yml sms_gateway.url)'}")
    for name, value in (("SMS_GATEWAY_USERNAME", gateway.username),
                        ("SMS_GATEWAY_PASSWORD", gateway.password),
                        ("SMS_GATEWAY_SIGNING_KEY", gateway.signing_key)):  # fmt: skip
        click.echo(f"  {name}: {'set' if value else 'MISSING'}")
    for event in ("sms:received", "sms:sent", "sms:delivered", "sms:failed"):
        click.echo(f"  curl -u USER:PASS -H 'Content-Type: application/json' -d "
                   f"'{{\"url\": \"{base}{WEBHOOK_PATH}\", \"event\": \"{event}\"}}' "
                   f"{gateway.url or 'GATEWAY_URL'}/webhooks")  # fmt: skip


@phone_command.command("cost")
@click.argument("flow_id")
@click.option("--easy", is_flag=True, help="In easy-read French.")
@pass_settings
def cost(settings: Settings, flow_id: str, easy: bool) -> None:
    """Show each step of a flow as the SMS it becomes: encoding, length, segments."""
    from bot.channels.sms_text import render
    from bot.replies import outbound
    from flows import engine
    from flows.events import Prefs, RunState
    from flows.gsm7 import budget
    from flows.loader import load_directory

    flows = load_directory(settings.flows_dir)
    if flow_id not in flows:
        raise click.ClickException(f"no flow '{flow_id}' (have: {', '.join(flows)})")
    flow, prefs, total = flows[flow_id], Prefs(easy=easy), 0
    click.echo(f"{'step':<24} {'encoding':<8} {'units':>5} {'segments':>8}")
    for step in flow.steps:
        state = RunState(flow.id, flow.version, step.id, prefs=prefs)
        for message in engine.repeat(flow, state).messages():
            sms = budget(render(outbound(flow, message, prefs, None)))
            total += sms.segments
            flag = "  <- over 2 segments" if sms.segments > 2 else ""
            click.echo(f"{step.id:<24} {sms.encoding:<8} {sms.units:>5} {sms.segments:>8}{flag}")
    click.echo(f"every step once: {total} segments")
