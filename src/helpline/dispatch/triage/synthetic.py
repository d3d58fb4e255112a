"""Synthetic labelled tickets in Russian and English, for tests and benchmarks.

Eleven categories, each with its own team and vocabulary, written with the noise real
tickets have: typos, Latin look-alike letters, transliterated Russian ("printer ne
pechataet"), sentences about another category's things, generic filler and a few
wrong labels. The labels are known, so a model's macro-F1 can be measured. Fully
determined by the seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from helpline.dispatch.triage.text import _TRANSLIT_TABLE


@dataclass(frozen=True)
class Topic:
    category: str
    team: str
    objects_en: tuple[str, ...]
    problems_en: tuple[str, ...]
    objects_ru: tuple[str, ...]
    problems_ru: tuple[str, ...]
    details_en: tuple[str, ...]
    details_ru: tuple[str, ...]
    base_priority: str = "P3"


TOPICS: tuple[Topic, ...] = (
    Topic(
        "printers",
        "desktop",
        ("printer", "office printer", "MFP", "network printer", "scanner", "print queue"),
        (
            "does not print",
            "shows paper jam",
            "is out of toner",
            "prints blank pages",
            "is offline",
            "prints stripes",
        ),
        ("принтер", "принтера", "принтеры", "МФУ", "сетевой принтер", "сканер", "очередь печати"),
        (
            "не печатает",
            "зажевал бумагу",
            "закончился картридж",
            "печатает пустые листы",
            "не в сети",
            "печатает полосами",
        ),
        (
            "I replaced the cartridge but it still fails.",
            "The toner light is blinking.",
            "Documents stay in the print queue.",
            "Scanning to e-mail stopped too.",
        ),
        (
            "Картридж меняли, не помогло.",
            "Мигает индикатор тонера.",
            "Документы висят в очереди печати.",
            "Сканирование тоже перестало работать.",
            "Замятие бумаги в лотке 2.",
        ),
    ),
    Topic(
        "network",
        "network",
        ("internet", "Wi-Fi", "network", "network cable", "network drive connection", "switch"),
        (
            "is very slow",
            "keeps dropping",
            "is not available",
            "has no connection",
            "does not work on the 3rd floor",
        ),
        (
            "интернет",
            "вайфай",
            "Wi-Fi",
            "сеть",
            "сетевой кабель",
            "подключение к сети",
            "коммутатор",
        ),
        (
            "очень медленный",
            "постоянно пропадает",
            "недоступна",
            "нет соединения",
            "не работает на 3 этаже",
        ),
        (
            "Pages do not load at all.",
            "The connection icon shows limited access.",
            "Ping to the gateway times out.",
            "The cable seems fine.",
        ),
        (
            "Страницы не открываются.",
            "Значок сети показывает ограниченный доступ.",
            "Пинг до шлюза не проходит.",
            "Кабель вроде целый.",
        ),
    ),
    Topic(
        "vpn",
        "network",
        ("VPN", "VPN client", "remote access", "VPN tunnel", "remote desktop"),
        (
            "will not connect",
            "fails with error 809",
            "disconnects every few minutes",
            "asks for a certificate",
            "is not working from home",
        ),
        (
            "VPN",
            "удаленный доступ",
            "удаленного доступа",
            "впн",
            "удаленный рабочий стол",
            "VPN-клиент",
        ),
        (
            "не подключается",
            "выдает ошибку 809",
            "отключается каждые несколько минут",
            "просит сертификат",
            "не работает из дома",
        ),
        (
            "I work from home this week.",
            "The token code is accepted but then it hangs.",
            "Error 809 again.",
            "Remote desktop to my PC times out.",
        ),
        (
            "Работаю из дома на этой неделе.",
            "Код токена принимает, потом зависает.",
            "Снова ошибка 809.",
            "Не могу зайти на рабочий компьютер удаленно.",
        ),
    ),
    Topic(
        "email",
        "messaging",
        ("Outlook", "mailbox", "e-mail", "calendar", "shared mailbox", "mail"),
        (
            "does not send messages",
            "is full",
            "does not receive mail",
            "keeps asking for password",
            "does not sync",
            "lost all folders",
        ),
        ("почта", "почтовый ящик", "Outlook", "аутлук", "календарь", "общий ящик", "письма"),
        (
            "не отправляет письма",
            "переполнен",
            "не приходят письма",
            "постоянно просит пароль",
            "не синхронизируется",
            "пропали все папки",
        ),
        (
            "Messages stay in the outbox.",
            "I get a mailbox quota warning.",
            "Meeting invitations do not arrive.",
            "External recipients bounce.",
        ),
        (
            "Письма висят в исходящих.",
            "Приходит предупреждение о квоте ящика.",
            "Приглашения на встречи не приходят.",
            "Письма на внешние адреса возвращаются.",
        ),
    ),
    Topic(
        "accounts",
        "service-desk",
        ("password", "account", "login", "domain account", "two-factor code"),
        ("expired", "is locked", "does not work", "needs a reset", "was not accepted"),
        (
            "пароль",
            "учетная запись",
            "учетку",
            "логин",
            "доменная учетная запись",
            "код двухфакторной",
        ),
        ("истек", "заблокирована", "не подходит", "нужно сбросить", "не принимается"),
        (
            "I typed the password wrong several times.",
            "New employee starts on Monday.",
            "Please reset my password.",
            "The sign-in page says the account is disabled.",
        ),
        (
            "Несколько раз ввел неверный пароль.",
            "Новый сотрудник выходит в понедельник.",
            "Прошу сбросить пароль.",
            "При входе пишет, что учетная запись отключена.",
        ),
        "P2",
    ),
    Topic(
        "hardware",
        "desktop",
        ("laptop", "monitor", "keyboard", "mouse", "docking station", "PC", "battery"),
        (
            "does not turn on",
            "flickers",
            "is broken",
            "overheats",
            "makes a noise",
            "does not charge",
        ),
        (
            "ноутбук",
            "ноутбука",
            "монитор",
            "клавиатура",
            "мышь",
            "док-станция",
            "компьютер",
            "аккумулятор",
        ),
        ("не включается", "мерцает", "сломался", "перегревается", "шумит", "не заряжается"),
        (
            "The fan is very loud.",
            "Some keys do not respond.",
            "The screen stays black.",
            "I spilled coffee on it.",
        ),
        (
            "Вентилятор сильно шумит.",
            "Часть клавиш не нажимается.",
            "Экран остается черным.",
            "Пролил кофе на клавиатуру.",
        ),
    ),
    Topic(
        "software",
        "desktop",
        ("program", "software", "Adobe Reader", "Excel", "browser", "update", "licence"),
        (
            "needs to be installed",
            "crashes on start",
            "licence expired",
            "fails to update",
            "is very slow",
            "shows an error",
        ),
        (
            "программа",
            "программу",
            "Excel",
            "эксель",
            "браузер",
            "обновление",
            "лицензия",
            "приложение",
        ),
        (
            "нужно установить",
            "вылетает при запуске",
            "лицензия истекла",
            "не обновляется",
            "сильно тормозит",
            "выдает ошибку",
        ),
        (
            "I need it for the quarterly report.",
            "Please install the latest version.",
            "The installer asks for administrator rights.",
            "It freezes when opening files.",
        ),
        (
            "Нужно для квартального отчета.",
            "Установите, пожалуйста, последнюю версию.",
            "Установщик просит права администратора.",
            "Зависает при открытии файлов.",
        ),
        "P4",
    ),
    Topic(
        "telephony",
        "telephony",
        ("desk phone", "IP phone", "headset", "conference call", "phone line", "softphone"),
        ("has no dial tone", "drops calls", "has echo", "cannot call outside", "does not ring"),
        (
            "телефон",
            "IP-телефон",
            "гарнитура",
            "гарнитуру",
            "конференц-связь",
            "телефонная линия",
            "софтфон",
        ),
        (
            "нет гудка",
            "обрывает звонки",
            "эхо при разговоре",
            "не звонит на внешние номера",
            "не звонит",
        ),
        (
            "Callers hear only noise.",
            "The extension is 4312.",
            "It started after the move.",
            "Voicemail does not work either.",
        ),
        (
            "Собеседник слышит только шум.",
            "Внутренний номер 4312.",
            "Началось после переезда.",
            "Голосовая почта тоже не работает.",
        ),
    ),
    Topic(
        "access",
        "service-desk",
        (
            "shared folder",
            "network share",
            "access rights",
            "SharePoint site",
            "folder",
            "project drive",
        ),
        ("access denied", "needs access", "permissions missing", "cannot open", "read only"),
        (
            "общая папка",
            "доступ к папке",
            "права доступа",
            "сетевой диск",
            "папку",
            "портал SharePoint",
        ),
        ("нет доступа", "нужен доступ", "недостаточно прав", "не открывается", "только чтение"),
        (
            "My manager approved the request.",
            "I moved to the finance department.",
            "Colleagues can open it, I cannot.",
            "Please grant write access.",
        ),
        (
            "Руководитель согласовал.",
            "Я перешел в финансовый отдел.",
            "У коллег открывается, у меня нет.",
            "Прошу дать права на запись.",
        ),
    ),
    Topic(
        "servers",
        "infrastructure",
        ("server", "database", "backup", "file server", "virtual machine", "disk space"),
        (
            "is down",
            "is not responding",
            "failed last night",
            "is running out of space",
            "has high load",
        ),
        (
            "сервер",
            "сервера",
            "база данных",
            "резервное копирование",
            "файловый сервер",
            "виртуальная машина",
            "место на диске",
        ),
        ("упал", "не отвечает", "не прошло ночью", "заканчивается", "сильно нагружен"),
        (
            "Monitoring shows the disk at 98%.",
            "The nightly job failed.",
            "Several departments are affected.",
            "The service restarts every hour.",
        ),
        (
            "Мониторинг показывает заполнение диска 98%.",
            "Ночное задание завершилось ошибкой.",
            "Затронуто несколько отделов.",
            "Служба перезапускается каждый час.",
        ),
        "P2",
    ),
    Topic(
        "business-apps",
        "applications",
        ("1C", "ERP", "CRM", "accounting system", "payroll report", "SAP"),
        (
            "shows wrong totals",
            "cannot post documents",
            "report fails",
            "is locked by another user",
            "lost the configuration",
        ),
        (
            "1С",
            "1С Бухгалтерия",
            "CRM",
            "ERP",
            "учетная система",
            "отчет по зарплате",
            "документы в 1С",
        ),
        (
            "неправильные суммы",
            "не проводятся документы",
            "отчет не формируется",
            "заблокирована другим пользователем",
            "слетела конфигурация",
        ),
        (
            "Month-end closing is tomorrow.",
            "The invoice totals do not match.",
            "Accounting cannot work.",
            "The error appears after the update.",
        ),
        (
            "Завтра закрытие месяца.",
            "Суммы в счетах не сходятся.",
            "Бухгалтерия не может работать.",
            "Ошибка появилась после обновления.",
        ),
    ),
)

FILLERS_EN = (
    "Please help.",
    "It started this morning.",
    "Thanks in advance.",
    "It worked yesterday.",
    "I restarted the computer already.",
    "Can someone take a look?",
)
FILLERS_RU = (
    "Помогите, пожалуйста.",
    "С утра так.",
    "Заранее спасибо.",
    "Вчера все работало.",
    "Компьютер уже перезагружал.",
    "Посмотрите, пожалуйста.",
    "Не работает.",
)
URGENT_EN = ("URGENT!", "The whole department cannot work.", "Clients are waiting, urgent.")
URGENT_RU = ("СРОЧНО!", "Весь отдел не может работать.", "Клиенты ждут, срочно.")
CALM_EN = ("Not urgent, whenever you have time.", "Low priority.")
CALM_RU = ("Не срочно, когда будет время.", "Не горит.")
PRIORITY_UP = {"P4": "P3", "P3": "P2", "P2": "P1", "P1": "P1"}
PRIORITY_DOWN = {"P1": "P2", "P2": "P3", "P3": "P4", "P4": "P4"}


@dataclass(frozen=True)
class SyntheticTicket:
    subject: str
    body: str
    category: str
    team: str
    priority: str
    language: str
    # How the text was made, for reading a model's errors: the category whose words
    # it was written with (differs from `category` for a wrong label), the category of
    # the distractor sentence (if any) and whether the subject or a second sentence
    # names the topic's own things.
    topic: str = ""
    distractor: str | None = None
    names_its_topic: bool = True

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.body}"

    def decidable(self, field: str) -> bool:
        """Whether the text determines the `field` label ("category" or "team").

        Not when the label is wrong, nor when the text is a tie: a vague subject, one
        detail of its own topic and one of the distractor's, of another category or
        team, and nothing else naming either. No model can do better than a coin toss
        on those; they bound every model's score from above.
        """
        key = {topic.category: getattr(topic, field) for topic in TOPICS}
        if getattr(self, field) != key[self.topic]:
            return False
        if self.distractor is None or self.names_its_topic:
            return True
        return key[self.distractor] == key[self.topic]


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    i = rng.randrange(1, len(word) - 1)
    kind = rng.random()
    if kind < 0.4:
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    if kind < 0.7:
        return word[:i] + word[i + 1 :]
    if kind < 0.85:
        return word[:i] + word[i] + word[i:]
    return word.replace("о", "o", 1).replace("р", "p", 1)  # Latin look-alikes


def _noisy(text: str, rng: random.Random, typo_rate: float) -> str:
    return " ".join(_typo(w, rng) if rng.random() < typo_rate else w for w in text.split())


def make_ticket(rng: random.Random, *, typo_rate: float = 0.05) -> SyntheticTicket:
    topic = rng.choice(TOPICS)
    russian = rng.random() < 0.6
    objects, problems, details, fillers = (
        (topic.objects_ru, topic.problems_ru, topic.details_ru, FILLERS_RU)
        if russian
        else (topic.objects_en, topic.problems_en, topic.details_en, FILLERS_EN)
    )
    subject = f"{rng.choice(objects)} {rng.choice(problems)}"
    names_its_topic = True
    if rng.random() < 0.3:  # a vague subject: the body must carry the meaning
        subject = rng.choice(fillers)
        names_its_topic = False
    sentences = [rng.choice(details)]
    if rng.random() < 0.5:
        sentences.append(f"{rng.choice(objects).capitalize()} {rng.choice(problems)}.")
        names_its_topic = True
    distractor = None
    if rng.random() < 0.25:  # a distractor from another topic
        other = rng.choice(TOPICS)
        distractor = other.category
        sentences.append(rng.choice(other.details_ru if russian else other.details_en))
    sentences.append(rng.choice(fillers))
    priority = topic.base_priority
    roll = rng.random()
    if roll < 0.15:
        sentences.append(rng.choice(URGENT_RU if russian else URGENT_EN))
        priority = (
            PRIORITY_UP[PRIORITY_UP[priority]] if rng.random() < 0.3 else PRIORITY_UP[priority]
        )
    elif roll < 0.27:
        sentences.append(rng.choice(CALM_RU if russian else CALM_EN))
        priority = PRIORITY_DOWN[priority]
    rng.shuffle(sentences)
    body = " ".join(sentences)
    if russian and rng.random() < 0.12:  # typed on a Latin keyboard layout
        subject, body = (
            subject.lower().translate(_TRANSLIT_TABLE),
            body.lower().translate(_TRANSLIT_TABLE),
        )
    category, team = topic.category, topic.team
    if rng.random() < 0.03:  # a wrong label, as in real history
        wrong = rng.choice(TOPICS)
        category, team = wrong.category, wrong.team
    if rng.random() < 0.05:
        priority = rng.choice(("P1", "P2", "P3", "P4"))
    return SyntheticTicket(
        subject=_noisy(subject, rng, typo_rate),
        body=_noisy(body, rng, typo_rate),
        category=category,
        team=team,
        priority=priority,
        language="ru" if russian else "en",
        topic=topic.category,
        distractor=distractor,
        names_its_topic=names_its_topic,
    )


def generate(count: int, *, seed: int = 42, typo_rate: float = 0.05) -> list[SyntheticTicket]:
    """`count` tickets, the same for the same seed."""
    rng = random.Random(seed)
    return [make_ticket(rng, typo_rate=typo_rate) for _ in range(count)]
