"""The demo data set's tables (``crm.demo``): country plans, name pools, the pipeline of
privacy reviews and agreements, thresholds, activities and tasks.

Names are invented combinations of common names; any resemblance to a real practice is chance.
Day counts are relative to the organization's today when the demo is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CountryPlan:
    """How many practices a country gets: eligible for QOPI and QCP (``qcp``), for QOPI only
    (``qopi``), not eligible (``other``), plus close-name re-submissions (``variants``)."""

    code: str
    style: str
    cities: tuple[str, ...]
    qcp: int = 0
    qopi: int = 0
    other: int = 0
    variants: int = 0


# fmt: off
#: Style → first names, family names, practice-name patterns and their fillers.
STYLES: dict[str, dict[str, tuple[str, ...]]] = {
    "es": {
        "first": (
            "Ana", "Carlos", "Lucía", "Andrés", "María José", "Javier", "Camila", "Diego",
            "Valentina", "Santiago", "Paula", "Alejandro", "Daniela", "Felipe", "Gabriela",
            "Ricardo", "Sofía", "Martín", "Isabel", "Tomás",
        ),
        "last": (
            "Pérez", "Gómez", "Rodríguez", "Martínez", "Hernández", "López", "Díaz", "Ramírez",
            "Torres", "Vargas", "Castro", "Rojas", "Morales", "Ortiz", "Jiménez", "Navarro",
            "Ruiz", "Mendoza", "Herrera", "Aguilar",
        ),
        "patterns": (
            "Clínica {saint}", "Centro Oncológico {place}", "Instituto de Oncología {last}",
            "Hospital {saint}", "Fundación Oncológica {place}", "Oncólogos Asociados de {city}",
            "Unidad de Hemato-Oncología {saint}", "Centro de Cáncer {last}",
        ),
        "saint": (
            "San Rafael", "Santa María", "San José", "San Lucas", "del Carmen", "La Merced",
            "San Ignacio", "Santa Clara", "San Vicente", "Santa Teresa", "San Pedro",
            "La Esperanza", "del Rosario", "San Martín", "Santa Lucía",
        ),
        "place": (
            "del Pacífico", "del Valle", "de los Andes", "del Norte", "del Sur", "Central",
            "del Caribe", "Metropolitano", "de Occidente", "del Oriente", "Integral", "Regional",
        ),
    },
    "pt": {
        "first": (
            "Ana", "João", "Mariana", "Pedro", "Beatriz", "Lucas", "Fernanda", "Rafael",
            "Juliana", "Gustavo", "Camila", "Thiago", "Patrícia", "Bruno", "Larissa", "Ricardo",
            "Carolina", "Felipe", "Renata", "André",
        ),
        "last": (
            "Silva", "Santos", "Oliveira", "Souza", "Lima", "Pereira", "Costa", "Rodrigues",
            "Almeida", "Nascimento", "Carvalho", "Araújo", "Ribeiro", "Gomes", "Martins",
            "Rocha", "Barbosa", "Cardoso", "Teixeira", "Moreira",
        ),
        "patterns": (
            "Clínica de Oncologia {saint}", "Instituto do Câncer {place}", "Hospital {saint}",
            "Centro de Oncologia {last}", "Oncoclínica {place}", "Grupo Oncológico {last}",
            "Núcleo de Hematologia e Oncologia {saint}",
        ),
        "saint": (
            "São Lucas", "Santa Cruz", "São Camilo", "Nossa Senhora das Graças", "São Vicente",
            "Santa Rita", "São Francisco", "Santa Luzia", "São Rafael", "Santa Isabel",
            "São José", "Santa Helena",
        ),
        "place": (
            "do Vale", "do Litoral", "do Cerrado", "Paulista", "Mineiro", "do Sul", "do Norte",
            "Central", "Integrado", "da Serra", "do Planalto", "Atlântico",
        ),
    },
    "en": {
        "first": (
            "James", "Sarah", "David", "Emily", "Michael", "Grace", "Daniel", "Olivia", "Samuel",
            "Hannah", "Peter", "Rachel", "Thomas", "Laura", "Andrew", "Chloe",
        ),
        "last": (
            "Smith", "Taylor", "Brown", "Wilson", "Clarke", "Walker", "Hughes", "Edwards",
            "Green", "Hall", "Wright", "Turner", "Campbell", "Mitchell",
        ),
        "patterns": (
            "{city} Cancer Centre", "{last} Oncology Clinic", "{place} Oncology Associates",
            "{place} Cancer Institute", "{city} Haematology and Oncology Centre",
            "{saint} Hospital Oncology Unit",
        ),
        "saint": (
            "St. Luke's", "St. Mary's", "St. John's", "Mercy", "Good Shepherd", "Holy Cross",
            "St. Andrew's", "Sacred Heart", "St. Vincent's",
        ),
        "place": (
            "Riverside", "Northgate", "Westside", "Lakeview", "Highland", "Eastern", "Harbour",
            "Central", "Parkland", "Summit", "Coastal", "Hillcrest",
        ),
    },
    "tr": {
        "first": (
            "Ayşe", "Mehmet", "Elif", "Mustafa", "Zeynep", "Ahmet", "Fatma", "Emre", "Selin",
            "Burak", "Deniz", "Murat",
        ),
        "last": (
            "Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Aydın", "Öztürk", "Arslan",
            "Doğan", "Kılıç", "Aslan",
        ),
        "patterns": (
            "{city} Onkoloji Merkezi", "Özel {last} Hastanesi", "{place} Onkoloji Kliniği",
            "{last} Kanser Merkezi", "{place} Üniversitesi Onkoloji Bölümü",
        ),
        "saint": ("Şifa", "Umut", "Hayat"),
        "place": ("Anadolu", "Marmara", "Ege", "Akdeniz", "Boğaziçi", "Karadeniz", "Başkent"),
    },
    "ar": {
        "first": (
            "Ahmed", "Fatima", "Omar", "Layla", "Khalid", "Mariam", "Youssef", "Nour", "Hassan",
            "Sara", "Tarek", "Huda",
        ),
        "last": (
            "Al-Hashimi", "Mansour", "Haddad", "El-Sayed", "Khalil", "Nasser", "Saleh",
            "Farouk", "Qasim", "Abdelaziz", "Rahman", "Darwish",
        ),
        "patterns": (
            "Al {place} Hospital Oncology Department", "{city} Oncology Center",
            "{last} Cancer Center", "Al {place} Specialized Hospital",
        ),
        "saint": ("Al Shifa", "Al Amal", "Al Salam"),
        "place": (
            "Noor", "Salam", "Amal", "Shifa", "Hayat", "Rahma", "Zahra", "Nahda", "Andalus",
            "Mowasat",
        ),
    },
    "in": {
        "first": (
            "Priya", "Rahul", "Anjali", "Vikram", "Sneha", "Arjun", "Kavya", "Sanjay", "Meera",
            "Rohan", "Deepa", "Amit",
        ),
        "last": (
            "Sharma", "Iyer", "Patel", "Reddy", "Nair", "Gupta", "Menon", "Rao", "Joshi",
            "Kulkarni", "Banerjee", "Singh",
        ),
        "patterns": (
            "{city} Cancer Institute", "{last} Oncology Centre", "{place} Cancer Hospital",
            "{place} Hemato-Oncology Clinic", "{city} Regional Cancer Centre",
        ),
        "saint": ("Sri Sai", "Lotus", "Jeevan"),
        "place": (
            "Sri Sai", "Lotus", "Ganga", "Sahyadri", "Apex", "Sunrise", "Kaveri", "Narmada",
            "Jeevan", "Amrit",
        ),
    },
    "pk": {
        "first": ("Ayesha", "Imran", "Fatima", "Usman", "Zainab", "Bilal", "Sana", "Hamza"),
        "last": ("Khan", "Ahmed", "Qureshi", "Malik", "Siddiqui", "Chaudhry", "Butt", "Shah"),
        "patterns": ("{city} Cancer Hospital", "{last} Oncology Clinic", "{place} Cancer Centre"),
        "saint": ("Shifa", "Noor"),
        "place": ("Shifa", "Noor", "Indus", "Ravi", "Margalla", "Karakoram", "Jinnah"),
    },
    "af": {
        "first": (
            "Amina", "Chinedu", "Wanjiru", "Oluwaseun", "Otieno", "Ngozi", "Kamau", "Adaeze",
            "Thabo", "Naledi", "Sipho", "Lerato",
        ),
        "last": (
            "Okafor", "Mwangi", "Adeyemi", "Otieno", "Njoroge", "Eze", "Ochieng", "Balogun",
            "Nkosi", "Dlamini", "Naidoo", "Mokoena",
        ),
        "patterns": (
            "{city} Cancer Centre", "{last} Oncology Clinic", "{place} Oncology Associates",
            "{saint} Hospital Oncology Unit", "{place} Cancer Care",
        ),
        "saint": ("St. Luke's", "St. Mary's", "Mercy", "Holy Family", "St. Francis"),
        "place": (
            "Unity", "Savannah", "Lakeside", "Highveld", "Coastal", "Rift Valley", "Baobab",
            "Horizon", "Kilimanjaro", "Acacia",
        ),
    },
    "ph": {
        "first": ("Maria", "Jose", "Angelica", "Mark", "Kristine", "Paolo", "Joy", "Ramon"),
        "last": ("Santos", "Reyes", "Cruz", "Bautista", "Garcia", "Villanueva", "Aquino", "Tan"),
        "patterns": (
            "{city} Cancer Center", "{saint} Medical Center Oncology", "{last} Oncology Clinic",
            "{place} Cancer Institute",
        ),
        "saint": ("St. Luke's", "Our Lady of Lourdes", "San Lorenzo", "Sacred Heart"),
        "place": ("Visayas", "Luzon", "Mindanao", "Pasig", "Bayanihan", "Maharlika"),
    },
    "my": {
        "first": ("Nurul", "Ahmad", "Mei Ling", "Wei Jie", "Siti", "Kumar", "Farah", "Hafiz"),
        "last": ("Abdullah", "Tan", "Lim", "Wong", "Ismail", "Raj", "Chong", "Hassan"),
        "patterns": ("{city} Oncology Centre", "{place} Cancer Centre", "{last} Oncology Clinic"),
        "saint": ("Pantai", "Sunway"),
        "place": ("Klang Valley", "Straits", "Borneo", "Titiwangsa", "Melaka"),
    },
    "vn": {
        "first": ("Linh", "Minh", "Huong", "Tuan", "Thao", "Duc", "Lan", "Quang"),
        "last": ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu", "Dang", "Bui"),
        "patterns": ("{city} Oncology Hospital", "{place} Cancer Center", "{last} Oncology Clinic"),
        "saint": ("Hong Duc", "Tam Anh"),
        "place": ("Mekong", "Red River", "Song Han", "Hoan Kiem", "Saigon"),
    },
    "el": {
        "first": ("Maria", "Georgios", "Eleni", "Dimitrios", "Katerina", "Nikolaos", "Sofia"),
        "last": (
            "Papadopoulos", "Georgiou", "Nikolaidou", "Konstantinou", "Vlachou", "Antoniou",
            "Dimitriou", "Oikonomou",
        ),
        "patterns": ("{city} Oncology Clinic", "{saint} Oncology Unit", "{last} Oncology Centre"),
        "saint": ("Agios Loukas", "Agia Olga", "Agios Savvas", "Agios Nikolaos", "Agia Eleni"),
        "place": ("Aegean", "Attica", "Olympus", "Macedonia"),
    },
    "ro": {
        "first": ("Andrei", "Ioana", "Mihai", "Elena", "Alexandru", "Cristina", "Radu", "Ana"),
        "last": ("Popescu", "Ionescu", "Popa", "Dumitru", "Stan", "Constantin", "Marin"),
        "patterns": ("Centrul de Oncologie {place}", "Clinica Oncologică {last}",
                     "{city} Oncology Institute"),
        "saint": ("Sfântul Nectarie", "Sfânta Maria"),
        "place": ("Carpați", "Dunărea", "Transilvania", "Sfântul Nectarie", "Moldova", "Banat"),
    },
    "it": {
        "first": ("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Alessandro", "Sara", "Matteo"),
        "last": ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno"),
        "patterns": ("Centro Oncologico {place}", "Istituto Oncologico {last}",
                     "Ospedale {saint} - Oncologia"),
        "saint": ("Santa Chiara", "San Camillo", "San Giovanni", "Sant'Anna", "San Luca"),
        "place": ("Tirreno", "Adriatico", "Lombardo", "Padano", "Mediterraneo", "Ligure"),
    },
    "de": {
        "first": ("Anna", "Lukas", "Julia", "Felix", "Laura", "Jonas", "Lena", "Paul"),
        "last": ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Becker"),
        "patterns": ("Onkologische Praxis {last}", "Onkologie Zentrum {city} {place}",
                     "Tumorzentrum {city} {place}"),
        "saint": ("St. Elisabeth", "St. Josef"),
        "place": ("Nord", "Süd", "Mitte", "West", "Ost", "Am Park"),
    },
}

#: Respondents' roles, in the language they answer in.
ROLES = {
    "es": (
        "Director médico", "Oncología clínica", "Coordinación de calidad", "Jefe de oncología",
        "Hematología", "Enfermería oncológica", "Gerencia administrativa",
    ),
    "pt_BR": (
        "Diretor médico", "Oncologista clínico", "Coordenação de qualidade",
        "Chefe de hematologia", "Enfermagem oncológica", "Gestão administrativa",
    ),
    "en": (
        "Medical oncologist", "Medical director", "Quality manager", "Head of haematology",
        "Oncology nurse manager", "Practice manager", "Clinical research coordinator",
    ),
}

#: Free-text comments some respondents leave, per language.
COMMENTS = {
    "es": (
        "Nos interesa mucho medir nuestros procesos con QOPI.",
        "¿Hay material de capacitación en español para el equipo de registro?",
        "Contamos con tres sedes; quisiéramos participar con todas.",
        "Favor de contactarnos después de la auditoría de acreditación.",
    ),
    "pt_BR": (
        "Temos grande interesse na certificação QOPI.",
        "Nossa equipe de qualidade lê inglês, mas os médicos preferem português.",
        "Gostaríamos de saber o custo estimado da certificação.",
        "Participamos do QTP em 2019 e queremos continuar.",
    ),
    "en": (
        "We would value benchmarking against international practices.",
        "Our data team can abstract charts in English.",
        "Please send details of the QCP site survey & fees.",
        "We run 2 sites <main campus and satellite>; can both join?",
        "Interested in licensing QTP content for our regional network.",
    ),
}

SPAM_NAMES = (
    "Best SEO Services Agency", "Crypto Investment Group", "asdfgh", "Test test",
    "Buy followers cheap", "Free phone winner", "qwerty", "Loan offers online",
    "Web design services", "Casino bonus club", "Cheap pharmacy online", "zzz",
)

#: Designed against the readiness rules (docs/domain.md#readiness) with the seeded defaults
#: (see ``crm.demo.generate``'s docstring).
PLANS = (
    # QOPI ready (review approved, agreement signed, ≥ 5 eligible).
    CountryPlan("CO", "es", ("Bogotá", "Medellín", "Cali", "Barranquilla", "Bucaramanga",
                             "Cartagena"), 3, 4, 5, 2),
    CountryPlan("TR", "tr", ("İstanbul", "Ankara", "İzmir", "Bursa", "Antalya", "Adana"),
                            1, 5, 4, 1),
    # QOPI near ready.
    CountryPlan("EC", "es", ("Quito", "Guayaquil", "Cuenca", "Loja"), 1, 2, 4),
    CountryPlan("AE", "ar", ("Dubai", "Abu Dhabi", "Sharjah", "Al Ain"), 2, 4, 3),
    CountryPlan("EG", "ar", ("Cairo", "Alexandria", "Giza", "Mansoura", "Assiut"), 1, 4, 4),
    CountryPlan("ZA", "af", ("Johannesburg", "Cape Town", "Durban", "Pretoria"), 2, 3, 3),
    CountryPlan("KE", "af", ("Nairobi", "Mombasa", "Kisumu", "Eldoret"), 0, 3, 3),
    # QOPI blocked.
    CountryPlan("UY", "es", ("Montevideo", "Salto", "Paysandú"), 1, 1, 3),
    CountryPlan("CR", "es", ("San José", "Alajuela", "Heredia"), 0, 1, 3),
    CountryPlan("GT", "es", ("Ciudad de Guatemala", "Quetzaltenango"), 0, 1, 2),
    CountryPlan("PY", "es", ("Asunción", "Ciudad del Este"), 0, 1, 2),
    CountryPlan("NG", "af", ("Lagos", "Abuja", "Ibadan", "Port Harcourt", "Enugu"), 1, 1, 4),
    CountryPlan("JO", "ar", ("Amman", "Irbid", "Zarqa"), 0, 2, 2),
    CountryPlan("VN", "vn", ("Hanoi", "Ho Chi Minh City", "Da Nang", "Hue"), 0, 1, 3),
    CountryPlan("CA", "en", ("Toronto", "Vancouver", "Montreal", "Calgary"), 1, 2, 2),
    # QOPI launched; QCP ready (MX), near ready (AR, CL) or blocked.
    CountryPlan("MX", "es", ("Ciudad de México", "Guadalajara", "Monterrey", "Puebla", "Mérida",
                             "Querétaro"), 4, 5, 6),
    CountryPlan("AR", "es", ("Buenos Aires", "Córdoba", "Rosario", "Mendoza", "La Plata"), 2, 4, 4),
    CountryPlan("CL", "es", ("Santiago", "Valparaíso", "Concepción", "Antofagasta", "Temuco"),
                            3, 2, 3),
    CountryPlan("PE", "es", ("Lima", "Arequipa", "Trujillo", "Cusco", "Piura"), 1, 3, 4, 1),
    CountryPlan("IN", "in", ("Mumbai", "Delhi", "Bengaluru", "Chennai", "Hyderabad", "Kolkata",
                             "Pune", "Kochi"), 3, 5, 6),
    CountryPlan("PK", "pk", ("Karachi", "Lahore", "Islamabad", "Peshawar"), 1, 3, 3),
    CountryPlan("PH", "ph", ("Manila", "Quezon City", "Cebu City", "Davao City"), 1, 3, 3, 1),
    CountryPlan("MY", "my", ("Kuala Lumpur", "Penang", "Johor Bahru"), 0, 2, 2),
    CountryPlan("PT", "pt", ("Lisboa", "Porto", "Coimbra", "Braga", "Faro"), 1, 2, 2),
    CountryPlan("IT", "it", ("Milano", "Roma", "Napoli", "Torino", "Bologna"), 1, 3, 3, 1),
    CountryPlan("DE", "de", ("Berlin", "München", "Hamburg", "Köln", "Frankfurt"), 0, 2, 3),
    # QOPI and QCP launched.
    CountryPlan("BR", "pt", ("São Paulo", "Rio de Janeiro", "Belo Horizonte", "Porto Alegre",
                             "Curitiba", "Salvador", "Recife", "Fortaleza", "Brasília", "Campinas"),
                            8, 6, 8, 3),
    CountryPlan("ES", "es", ("Madrid", "Barcelona", "Valencia", "Sevilla", "Bilbao", "Málaga"),
                            4, 3, 4, 1),
    CountryPlan("SA", "ar", ("Riyadh", "Jeddah", "Dammam", "Medina"), 3, 2, 2),
    CountryPlan("GR", "el", ("Athens", "Thessaloniki", "Patras", "Heraklion"), 3, 2, 2),
    CountryPlan("RO", "ro", ("Bucharest", "Cluj-Napoca", "Iași", "Timișoara"), 2, 2, 2),
)

#: Survey languages: Spanish- and Portuguese-speaking countries mostly answer in their
#: language, some respondents in English; everyone else in English.
SPANISH = ("CO", "EC", "UY", "CR", "GT", "PY", "MX", "AR", "CL", "PE", "ES")
PORTUGUESE = ("BR", "PT")

#: Name suffixes that make a close but not equal practice name (a suggestion staff confirm:
#: docs/decisions.md#name-keys).
VARIANT_SUFFIXES = {
    "es": (" S.A.S.", " Ltda.", " IPS", " - Sede Principal"),
    "pt": (" Ltda.", " S/A", " - Unidade Centro"),
    "tr": (" A.Ş.",),
}
DEFAULT_VARIANT_SUFFIXES = (" Ltd", " (Main Campus)", " Group")

#: (country, status, programs, applicable law, requested / decided days ago, conditions, notes)
PRIVACY_REVIEWS = (
    ("CO", "approved", ("QOPI", "QCP"), "Ley 1581 de 2012 (Habeas Data)", 300, 120, None, None),
    ("TR", "approved_with_conditions", ("QOPI",), "KVKK (Law No. 6698)", 260, 90,
     "Patient-level data pseudonymized before transfer; yearly transfer review.", None),
    ("EC", "approved", ("QOPI",), "Ley Orgánica de Protección de Datos Personales", 200, 60,
     None, None),
    ("AE", "approved", ("QOPI",), "Federal Decree-Law No. 45 of 2021 (PDPL)", 240, 50,
     None, None),
    ("EG", "in_review", ("QOPI",), "Law No. 151 of 2020 (Personal Data Protection)", 70, None,
     None, "Counsel expects a decision within about a month."),
    ("ZA", "approved", ("QOPI",), "POPIA", 1300, 1180, None, None),
    ("KE", "approved", ("QOPI",), "Data Protection Act, 2019", 180, 45, None, None),
    ("UY", "requested", ("QOPI",), "Ley 18.331", 30, None, None, None),
    ("CR", "not_started", ("QOPI",), "Ley 8968", None, None, None,
     "Waiting for a second interested practice before engaging counsel."),
    ("NG", "rejected", ("QOPI",), "Nigeria Data Protection Act 2023", 400, 300, None,
     "Rejected pending a local data-processing partner; a new review will be requested."),
    ("MX", "approved", ("QOPI", "QCP"), "LFPDPPP", 400, 250, None, None),
    ("AR", "approved", ("QCP",), "Ley 25.326", 300, 100, None, None),
    ("CL", "approved", ("QCP",), "Ley 19.628", 220, 70, None, None),
    ("IN", "in_review", ("QCP",), "Digital Personal Data Protection Act, 2023", 90, None,
     None, None),
    ("PT", "not_started", ("QCP",), "GDPR", None, None, None, None),
)

#: (country, status, programs, counterparty, status since / signed days ago,
#:  expires in days (negative: in the past), notes)
AGREEMENTS = (
    ("CO", "signed", ("QOPI",), "National oncology society of Colombia", 60, 1095, None),
    ("TR", "signed", ("QOPI",), "Turkish medical oncology society", 45, 730, None),
    ("EC", "signed", ("QOPI",), "Ecuadorian oncology society", 100, 1095, None),
    ("AE", "out_for_signature", ("QOPI",), "Emirates oncology society", 14, None,
     "Sent for signature; the counterparty's legal team has it."),
    ("EG", "signed", ("QOPI",), "Egyptian society of medical oncology", 30, 1095, None),
    ("ZA", "signed", ("QOPI",), "South African oncology consortium", 1120, -25,
     "Expired; renewal draft requested."),
    ("KE", "negotiating", ("QOPI",), "Kenyan oncology society", 60, None,
     "Data clauses under discussion."),
    ("UY", "draft", ("QOPI",), "Uruguayan oncology society", 20, None, None),
    ("GT", "draft", ("QOPI",), "Guatemalan oncology association", 40, None, None),
    ("JO", "terminated", ("QOPI",), "Regional hospital network (Jordan)", 200, None,
     "Terminated by mutual agreement; new counterparty to be found."),
    ("MX", "signed", ("QOPI", "QCP"), "Mexican oncology society", 120, 1095, None),
    ("AR", "signed", ("QCP",), "Argentine oncology association", 80, 1095, None),
    ("CL", "negotiating", ("QCP",), "Chilean oncology society", 35, None, None),
    ("PH", "expired", ("QCP",), "Philippine oncology society", 1500, -365, None),
    ("IN", "draft", ("QCP",), "Indian cooperative oncology network", 25, None, None),
)

#: (country, program, threshold, reason): admins' per-country overrides.
THRESHOLDS = (
    ("KE", "QOPI", 3, "Low/middle-income country project: the IQSG agreed a smaller first cohort."),
    ("UY", "QOPI", 4, "Small market; four practices cover most oncology patients."),
    ("IN", "QCP", 4, "Large country: the IQSG asked for a bigger first QCP cohort."),
)

#: (country, program, status, days ago): availability moved on by staff.
AVAILABILITY_CHANGES = (
    ("CO", "QOPI", "in_pipeline", 150), ("TR", "QOPI", "in_pipeline", 120),
    ("EC", "QOPI", "in_pipeline", 90), ("AE", "QOPI", "in_pipeline", 200),
    ("EG", "QOPI", "under_consideration", 75), ("ZA", "QOPI", "in_pipeline", 400),
    ("KE", "QOPI", "under_consideration", 180), ("UY", "QOPI", "under_consideration", 40),
    ("MX", "QCP", "in_pipeline", 260), ("AR", "QCP", "under_consideration", 160),
    ("CL", "QCP", "under_consideration", 90),
)

#: (email local part, name, role) of the demo people who own tasks and activities.
DEMO_STAFF = (
    ("mariana.costa", "Mariana Costa", "staff"),
    ("daniel.okafor", "Daniel Okafor", "staff"),
    ("lucia.fernandez", "Lucía Fernández", "staff"),
    ("iqsg.reviewer", "Priya Raman (IQSG)", "viewer"),
)

#: (country, kind, subject, body, days ago)
COUNTRY_ACTIVITIES = (
    ("CO", "meeting", "Launch readiness call with the national society",
     "Agreed the QOPI launch sequence; the society will host a data-entry workshop.", 12),
    ("CO", "note", "Privacy review approved", "Counsel's memo filed with the review.", 120),
    ("TR", "call", "Conditions of the privacy approval",
     "Pseudonymization before transfer is feasible with the standard abstraction form.", 85),
    ("TR", "email", "Agreement countersigned", "Scanned copy saved to the shared drive.", 44),
    ("EC", "email", "Asked practices to share the survey with colleagues",
     "Two more practices are expected to answer before the next IQSG meeting.", 20),
    ("AE", "email", "Agreement sent for signature", None, 14),
    ("EG", "call", "Privacy review status", "Counsel expects a decision within a month.", 9),
    ("ZA", "note", "Agreement lapsed", "Renewal draft requested from legal.", 20),
    ("KE", "meeting", "Agreement negotiation, round 2",
     "Open point: where abstracted data is stored.", 30),
    ("MX", "meeting", "QCP pilot scoping",
     "Four practices meet the QCP conditions; site-survey capacity to be confirmed.", 25),
    ("AR", "email", "QCP interest follow-up", "Asked two practices about the QCP fee.", 18),
    ("CL", "call", "QCP agreement negotiation", "Counterparty reviewing fee schedule.", 33),
    ("NG", "note", "Privacy review rejected",
     "A local data-processing partner is needed before a new review.", 290),
)

#: (country of the practice, kind, subject, days ago): on the country's first eligible practice.
PRACTICE_ACTIVITIES = (
    ("CO", "call", "Confirmed two active ASCO members", 15),
    ("TR", "email", "Sent QOPI measure summaries in English", 40),
    ("MX", "meeting", "Site visit: QCP standards overview", 22),
    ("AR", "call", "Asked whether the practice would pay the QCP fee", 17),
    ("BR", "note", "QCP application started", 60),
)

#: (country, title, due in days (negative: overdue; None: no due date), status)
COUNTRY_TASKS = (
    ("CO", "Prepare the IQSG launch memo for Colombia", 5, "open"),
    ("TR", "Confirm the data-entry contact at each Turkish practice", -3, "in_progress"),
    ("AE", "Chase the signature of the UAE agreement", -10, "open"),
    ("EG", "Ask counsel for the Egyptian review timeline", 7, "open"),
    ("ZA", "Send the renewal draft to the South African partner", -1, "open"),
    ("KE", "Agree the data clauses of the Kenyan agreement", 14, "open"),
    ("EC", "Reply to Ecuadorian practices about ASCO membership", 0, "open"),
    ("MX", "Plan QCP site surveys with the Mexican practices", 21, "open"),
    ("AR", "Find a third QCP-eligible practice in Argentina", 30, "in_progress"),
    ("CL", "Send the fee schedule to the Chilean counterparty", -6, "open"),
    ("UY", "Follow up on the privacy review request", 10, "open"),
    ("BR", "Send the welcome pack to the new QCP applicants", -20, "done"),
    ("NG", "Identify a local data-processing partner", None, "open"),
)

#: (country of the practice, title, due in days): PE's goes to a practice not yet eligible.
PRACTICE_TASKS = (
    ("CO", "Call back about the QOPI participation agreement", 2),
    ("MX", "Confirm the QCP fee with the practice director", -2),
    ("PE", "Check whether the practice has an active ASCO member", 9),
)
# fmt: on
