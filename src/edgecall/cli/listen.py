"""`edgecall listen`: push-to-talk from the microphone (sounddevice/PortAudio), transcribed offline, then run."""

from __future__ import annotations

import io
import wave
from datetime import datetime
from typing import Annotated, Any

import typer

from .common import ConfigOpt, DataDirOpt, DemoOpt, ModelOpt, console, fail, settings_from_flags

RATE = 16_000


def input_device() -> str:
    """The default microphone's name; exits with a clear message when there is none (or no PortAudio)."""
    try:
        import sounddevice as sd
    except (ModuleNotFoundError, OSError) as exc:  # OSError: the PortAudio library itself is missing
        fail(
            f"no audio input: sounddevice/PortAudio is not available ({exc}). Install them "
            "(pip install sounddevice; apt install libportaudio2) or record a file and use `edgecall run --audio FILE`"
        )
    try:
        info = sd.query_devices(kind="input")
    except Exception as exc:  # sd.PortAudioError: no default input device
        fail(f"no audio input device found ({exc}); connect a microphone or use `edgecall run --audio FILE`")
    return str(info["name"])


def record_until_enter() -> bytes:
    """Record 16 kHz mono until Enter; returns a WAV file's bytes."""
    import sounddevice as sd

    frames: list[bytes] = []

    # sounddevice's callback signature: a cffi buffer of int16 samples, a frame count, cffi time info, status flags
    def callback(indata: Any, _frames: int, _time: Any, _status: sd.CallbackFlags) -> None:
        frames.append(bytes(indata))

    with sd.RawInputStream(samplerate=RATE, channels=1, dtype="int16", callback=callback):
        input()
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(b"".join(frames))
    return buf.getvalue()


def listen(
    model: ModelOpt = None,
    data_dir: DataDirOpt = None,
    demo: DemoOpt = False,
    config: ConfigOpt = None,
    once: Annotated[bool, typer.Option("--once", help="Handle one request, then exit.")] = False,
) -> None:
    """Push-to-talk: press Enter, speak, press Enter; the request is transcribed offline and run."""
    from ..app import build_agent
    from ..voice import VoiceError, default_transcriber
    from .display import EventPrinter, print_answer

    device = input_device()
    settings = settings_from_flags(config=config, model=model, data_dir=data_dir, demo=demo)
    try:
        transcriber = default_transcriber()
    except VoiceError as exc:
        fail(str(exc))
    agent = build_agent(settings)
    console.print(f"Microphone: {device}. Press Enter to talk, Enter again to stop; Ctrl-C quits.")
    while True:
        try:
            input()
            console.print("[red]● recording[/] (Enter stops)")
            audio = record_until_enter()
        except (KeyboardInterrupt, EOFError):
            return
        try:
            heard = transcriber.transcribe(audio)
        except VoiceError as exc:
            console.print(f"[red]{exc}[/]")
            continue
        if not heard.text:
            console.print("[yellow]nothing was recognised; try again[/]")
            continue
        console.print(f"[bold]heard:[/] {heard.text} [dim]({heard.seconds:.2f}s)[/]")
        agent.on_event = EventPrinter()
        result = agent.run(heard.text, now=datetime.now().replace(microsecond=0))
        print_answer(result.answer, result.ok, result.seconds)
        if once:
            return
