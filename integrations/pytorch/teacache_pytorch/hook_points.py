from dataclasses import dataclass
@dataclass(frozen=True)
class HookPoint:
    model: str
HOOK_POINTS: dict = {}
