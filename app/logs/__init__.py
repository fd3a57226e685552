"""Log lines an operator can ship: one per task event (created, each status change, a failed
read, a refusal), naming the task, member, endpoint and upstream status; never a key."""
