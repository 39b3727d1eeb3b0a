from django.apps import AppConfig


class EvalconsoleConfig(AppConfig):
    name = "evalconsole"
    verbose_name = "evalconsole"

    def ready(self):
        from evalconsole.connections import connect_signals

        connect_signals()
