"""Alarms: PutAlarm and friends, the evaluation rule, the evaluator, notices, metric intake and monitored resources."""
