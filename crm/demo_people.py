"""Name pools for the synthetic demo data (``crm.demo``): people, practices and cities.

Invented combinations of common names; any resemblance to a real practice is chance.
"""

from __future__ import annotations

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
# fmt: on
