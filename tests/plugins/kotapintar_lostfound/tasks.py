from celery import shared_task

RUNS = []


@shared_task
def expire() -> int:
    RUNS.append("expire")
    return len(RUNS)
