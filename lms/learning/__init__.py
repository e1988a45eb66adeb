"""Learning: enrolments, the lesson player, quizzes, completion, certificates and statements."""
