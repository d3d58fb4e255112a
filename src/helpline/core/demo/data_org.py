"""The demo organisation: teams, agents, customer companies, requesters and categories."""

from __future__ import annotations

from dataclasses import dataclass

DEMO_PASSWORD_LOGINS = {
    "admin@example.com": "admin",
    "agent@example.com": "agent",
    "user@example.com": "user",
}


@dataclass(frozen=True)
class TeamSpec:
    slug: str
    name: str
    tier: str
    email: str
    description: str


TEAMS = (
    TeamSpec(
        "l1-service-desk",
        "L1 Service Desk",
        "L1",
        "servicedesk@example.com",
        "Первая линия / first line: calls, e-mail and chat; passwords, printers, e-mail, "
        "simple fixes from the knowledge base; routes the rest.",
    ),
    TeamSpec(
        "l2-desktop",
        "L2 Desktop Support",
        "L2",
        "desktop@example.com",
        "Вторая линия / desktop support: PCs and laptops, peripherals, software installs, "
        "1C clients, VPN clients.",
    ),
    TeamSpec(
        "l3-infrastructure",
        "L3 Infrastructure",
        "L3",
        "infra@example.com",
        "Третья линия / infrastructure: servers, storage, network, Wi-Fi, mail server, "
        "VPN gateways, 1C server.",
    ),
)

SKILLS = (
    "1C",
    "accounts",
    "e-mail",
    "hardware",
    "laptops",
    "network",
    "office",
    "printers",
    "servers",
    "VPN",
    "Wi-Fi",
    "Windows",
)


@dataclass(frozen=True)
class AgentSpec:
    email: str
    full_name: str
    role: str
    tier: str
    team: str  # team slug
    skills: tuple[str, ...]
    language: str = "en"
    time_zone: str = "UTC"
    feminine: bool = False  # for the endings of Russian verbs in the notes she writes


_MSK = "Europe/Moscow"

AGENTS = (
    AgentSpec(
        "o.smirnova@example.com",
        "Ольга Смирнова",
        "agent",
        "L1",
        "l1-service-desk",
        ("e-mail", "printers", "accounts", "office"),
        "ru",
        _MSK,
        feminine=True,
    ),
    AgentSpec(
        "d.kuznetsov@example.com",
        "Дмитрий Кузнецов",
        "agent",
        "L1",
        "l1-service-desk",
        ("printers", "hardware", "Windows"),
        "ru",
        _MSK,
    ),
    AgentSpec(  # the demo login of an L1 operator
        "agent@example.com",
        "Emily Clarke",
        "agent",
        "L1",
        "l1-service-desk",
        ("e-mail", "accounts", "office", "Windows"),
        "en",
        "UTC",
        feminine=True,
    ),
    AgentSpec(
        "s.volkov@example.com",
        "Сергей Волков",
        "agent",
        "L2",
        "l2-desktop",
        ("Windows", "hardware", "laptops", "1C"),
        "ru",
        _MSK,
    ),
    AgentSpec(
        "tom.harris@example.com",
        "Tom Harris",
        "agent",
        "L2",
        "l2-desktop",
        ("VPN", "Windows", "office", "laptops"),
    ),
    AgentSpec(
        "m.kozlova@example.com",
        "Марина Козлова",
        "agent",
        "L2",
        "l2-desktop",
        ("1C", "office", "Windows"),
        "ru",
        _MSK,
        feminine=True,
    ),
    AgentSpec(
        "laura.bennett@example.com",
        "Laura Bennett",
        "agent",
        "L2",
        "l2-desktop",
        ("hardware", "printers", "laptops", "Wi-Fi"),
        "en",
        "UTC",
        feminine=True,
    ),
    AgentSpec(
        "a.lebedev@example.com",
        "Андрей Лебедев",
        "agent",
        "L3",
        "l3-infrastructure",
        ("network", "VPN", "servers", "Wi-Fi"),
        "ru",
        _MSK,
    ),
    AgentSpec(
        "james.oconnor@example.com",
        "James O'Connor",
        "agent",
        "L3",
        "l3-infrastructure",
        ("servers", "e-mail", "network", "1C"),
    ),
)

SUPERVISOR = AgentSpec(
    "e.orlova@example.com",
    "Елена Орлова",
    "supervisor",
    "",
    "l1-service-desk",
    ("accounts",),
    "ru",
    _MSK,
    feminine=True,
)

ADMIN_EMAIL = "admin@example.com"
ADMIN_NAME = "Helpline Administrator"


@dataclass(frozen=True)
class OrganizationSpec:
    key: str
    name: str
    domain: str
    is_vip: bool
    shares_tickets: bool
    notes: str


ORGANIZATIONS = (
    OrganizationSpec(
        "ru",
        "ООО «Северный ветер»",
        "severny-veter.example",
        False,
        True,
        "Оптовая торговля, офис в Санкт-Петербурге и склад в Колпино. Сотрудники видят "
        "заявки коллег.",
    ),
    OrganizationSpec(
        "en",
        "Brightwater Logistics Ltd",
        "brightwater.example",
        True,
        False,
        "VIP customer: freight forwarding, offices in Leeds and Rotterdam.",
    ),
)

# (full name, e-mail local part, phone) -- Russian requesters work in Moscow time.
RU_REQUESTERS = (
    ("Иван Петров", "i.petrov", "+7 812 555-01-01"),
    ("Наталья Соколова", "n.sokolova", "+7 812 555-01-02"),
    ("Алексей Морозов", "a.morozov", "+7 812 555-01-03"),
    ("Екатерина Васильева", "e.vasileva", "+7 812 555-01-04"),
    ("Михаил Новиков", "m.novikov", "+7 812 555-01-05"),
    ("Ирина Фёдорова", "i.fedorova", "+7 812 555-01-06"),
    ("Павел Михайлов", "p.mikhailov", "+7 812 555-01-07"),
    ("Светлана Андреева", "s.andreeva", "+7 812 555-01-08"),
    ("Николай Егоров", "n.egorov", "+7 812 555-01-09"),
    ("Татьяна Павлова", "t.pavlova", "+7 812 555-01-10"),
    ("Артём Семёнов", "a.semenov", "+7 812 555-01-11"),
    ("Юлия Голубева", "y.golubeva", "+7 812 555-01-12"),
    ("Владимир Виноградов", "v.vinogradov", "+7 812 555-01-13"),
    ("Анастасия Богданова", "a.bogdanova", "+7 812 555-01-14"),
    ("Роман Воробьёв", "r.vorobev", "+7 812 555-01-15"),
    ("Ксения Макарова", "k.makarova", "+7 812 555-01-16"),
    ("Григорий Зайцев", "g.zaitsev", "+7 812 555-01-17"),
    ("Людмила Никитина", "l.nikitina", "+7 812 555-01-18"),
    ("Денис Соловьёв", "d.solovev", "+7 812 555-01-19"),
    ("Марина Белова", "m.belova", "+7 812 555-01-20"),
    ("Константин Тарасов", "k.tarasov", "+7 812 555-01-21"),
    ("Валентина Киселева", "v.kiseleva", "+7 812 555-01-22"),
    ("Евгений Ковалёв", "e.kovalev", "+7 812 555-01-23"),
    ("Ольга Ильина", "o.ilina", "+7 812 555-01-24"),
    ("Фёдор Гусев", "f.gusev", "+7 812 555-01-25"),
)

# (full name, e-mail, organization key or "" for none). The first is the demo login.
EN_REQUESTERS = (
    ("Alex Morgan", "user@example.com", "en"),
    ("Sarah Mitchell", "sarah.mitchell@brightwater.example", "en"),
    ("David Thompson", "david.thompson@brightwater.example", "en"),
    ("Jessica Walker", "jessica.walker@brightwater.example", "en"),
    ("Michael Robinson", "michael.robinson@brightwater.example", "en"),
    ("Emma Wright", "emma.wright@brightwater.example", "en"),
    ("Daniel Hughes", "daniel.hughes@brightwater.example", "en"),
    ("Olivia Turner", "olivia.turner@brightwater.example", "en"),
    ("Christopher Hall", "christopher.hall@brightwater.example", "en"),
    ("Sophie Edwards", "sophie.edwards@brightwater.example", "en"),
    ("Matthew Green", "matthew.green@brightwater.example", "en"),
    ("Hannah Cooper", "hannah.cooper@brightwater.example", "en"),
    ("Ryan Phillips", "ryan.phillips@brightwater.example", "en"),
    ("Chloe Parker", "chloe.parker@brightwater.example", "en"),
    ("Benjamin Evans", "benjamin.evans@brightwater.example", "en"),
    ("Lucy Bailey", "lucy.bailey@brightwater.example", "en"),
    ("Jack Collins", "jack.collins@brightwater.example", "en"),
    ("Grace Murphy", "grace.murphy@brightwater.example", "en"),
    ("Thomas Reed", "thomas.reed@brightwater.example", "en"),
    ("Amelia Foster", "amelia.foster@brightwater.example", "en"),
    ("Samuel Price", "samuel.price@brightwater.example", "en"),
    ("Isabel de Vries", "isabel.devries@brightwater.example", "en"),
    ("Pieter Jansen", "pieter.jansen@brightwater.example", "en"),
    ("Nina Brooks", "nina.brooks@contractor.example", ""),
    ("Oliver Grant", "oliver.grant@freelance.example", ""),
)


@dataclass(frozen=True)
class CategorySpec:
    slug: str
    name: str
    name_ru: str
    parent: str  # parent slug, "" for a root
    team: str  # default team slug
    weight: int = 0  # how often tickets land here (leaves only)


CATEGORIES = (
    CategorySpec("hardware", "Hardware", "Оборудование", "", "l2-desktop"),
    CategorySpec("printers", "Printers", "Принтеры", "hardware", "l1-service-desk", 12),
    CategorySpec("laptops", "Laptops & PCs", "Ноутбуки и ПК", "hardware", "l2-desktop", 10),
    CategorySpec(
        "peripherals",
        "Monitors & peripherals",
        "Мониторы и периферия",
        "hardware",
        "l1-service-desk",
        6,
    ),
    CategorySpec("network", "Network", "Сеть", "", "l3-infrastructure"),
    CategorySpec("vpn", "VPN", "VPN", "network", "l2-desktop", 9),
    CategorySpec("wifi", "Wi-Fi", "Wi-Fi", "network", "l3-infrastructure", 6),
    CategorySpec("email", "E-mail", "Электронная почта", "", "l1-service-desk", 11),
    CategorySpec(
        "access", "Accounts & access", "Учётные записи и доступ", "", "l1-service-desk", 12
    ),
    CategorySpec("software", "Software", "Программы", "", "l2-desktop"),
    CategorySpec("1c", "1C", "1С", "software", "l2-desktop", 10),
    CategorySpec("office", "Office", "Офисные программы", "software", "l1-service-desk", 8),
    CategorySpec(
        "software-install",
        "Software installation",
        "Установка программ",
        "software",
        "l2-desktop",
        6,
    ),
    CategorySpec(
        "servers", "Servers & file shares", "Серверы и общие папки", "", "l3-infrastructure", 6
    ),
)
