from notes.models import Note
from smoketest import SmokeTest, tag


@tag("critical")
class NoteDatabaseSmoke(SmokeTest):
    def test_notes_can_be_read(self):
        self.assertGreater(Note.objects.count(), 0, "the seeded notes are missing")

    def test_a_note_can_be_written(self):
        # Rolled back when the test ends: production keeps no "smoke" note.
        note = Note.objects.create(title="smoke test note", body="rolled back")
        self.assertEqual(Note.objects.get(pk=note.pk).body, "rolled back")
