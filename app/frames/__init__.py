"""Pictures given to a task: checking and shrinking images, `frame:<sha>` references, who owns a
stored frame, its storing under the guard and its removal, uploads, samples and frames made from
text."""
