"""Better transcripts of kept answers, made later: quick now (the read-back uses Vosk's text),
better later (a better recogniser, in a worker process at lower priority, one answer at a time,
resumable from a list on disk)."""
