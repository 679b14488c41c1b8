"""Training juniors: quizzes generated from the knowledge base.

- `scenarios.make_quiz(kb, seed=..., level=..., lang=...)` draws a reproducible scenario
  (a real client request, a capacity profile) and three questions from the YAML base;
- `quiz_engine.begin` / `quiz_engine.quiz_step` run it as a pure state machine, like the
  advisor's engine;
- `service.QuizService` persists quizzes, answers and scores through the store.
"""

from .quiz import Question, Quiz
from .quiz_engine import QuizState, begin, quiz_step
from .scenarios import make_quiz
from .service import QuizService

__all__ = ["Question", "Quiz", "QuizService", "QuizState", "begin", "make_quiz", "quiz_step"]
