"""The built-in samples: every manifest entry has its pictures, at the output size, and small."""

from PIL import Image

from app.frames.samples import SAMPLE_SIZE, SAMPLES, find_sample, sample_file


def test_there_are_at_least_six_samples_with_distinct_titles() -> None:
    assert len(SAMPLES) >= 6
    assert len({s.title for s in SAMPLES}) == len(SAMPLES)
    assert find_sample("harbour-dawn") is not None
    assert find_sample("../app") is None


def test_every_sample_picture_is_a_jpeg_at_the_output_size() -> None:
    for sample in SAMPLES:
        positions = ["first", "last"] if sample.has_last else ["first"]
        for position in positions:
            path = sample_file(sample, position)
            assert path.stat().st_size < 300_000, path
            with Image.open(path) as image:
                assert (image.format, image.size) == ("JPEG", SAMPLE_SIZE), path
        with Image.open(sample_file(sample, "thumb")) as thumb:
            assert thumb.width == 320
        assert sample.prompt and len(sample.prompt) < 300
