"""What the runtime still has to do for the dialog: output queued, listening, or ended.

Pure bookkeeping, shared by the runtime and the tests' dialog driver, so that both read the
dialog's actions the same way.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from assistant.dialog.messages import Action, End, Listen, OutputItem, StopOutput


@dataclass
class Agenda:
    queue: deque[OutputItem] = field(default_factory=deque)  # to play, in order
    listen: Listen | None = None  # waiting for the person once the queue has played
    ended: End | None = None

    def take(self, action: Action) -> Action | None:
        """File `action`. Returns it when the caller must carry it out itself: StopOutput
        (cut the sound) and the journal's actions."""
        if isinstance(action, OutputItem):
            self.queue.append(action)
            self.listen = None  # new output comes first; the dialog listens again after it
            return None
        if isinstance(action, StopOutput):
            self.queue.clear()
            return action
        if isinstance(action, Listen):
            self.listen = action
            return None
        if isinstance(action, End):
            self.ended = action
            self.listen = None
            return None
        return action
