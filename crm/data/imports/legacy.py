"""Older versions of our own questionnaire, as their exports headed their columns and labelled
their options, in English, Spanish and Portuguese (docs/domain.md#imports): what the import
recognises beside the answer keys and the screens' titles.

Data only. Question texts are compared with a file's headings after normalization (case,
accents and punctuation dropped), so "¿Cuántos oncólogos trabajan en su consultorio?" and
"Cuantos oncologos trabajan en su consultorio" are the same heading.
"""

from __future__ import annotations

#: Answer key → headings older questionnaires gave it.
OLDER_QUESTIONS: dict[str, tuple[str, ...]] = {
    "practice_name": (
        "Name of your practice", "Name of your practice or institution",
        "Nombre de su consultorio o institución", "Nombre de su centro",
        "Nombre del consultorio", "Nome da sua clínica ou instituição", "Nome do seu serviço",
        "Nome da clínica",
    ),
    "country": (
        "Country where your practice is located", "Country of your practice",
        "País donde se encuentra su consultorio", "País de su centro",
        "País onde sua clínica está localizada", "País do seu serviço",
    ),
    "city": (
        "City where your practice is located", "Ciudad de su consultorio", "Cidade da clínica",
    ),
    "practice_type": (
        "Type of practice", "Tipo de consultorio", "Tipo de clínica", "Tipo de serviço",
    ),
    "outpatient_hem_onc": (
        "Is your practice an outpatient hematology-oncology practice?",
        "¿Su consultorio es un centro ambulatorio de hemato-oncología?",
        "Sua clínica é um serviço ambulatorial de hemato-oncologia?",
    ),
    "oncologists_count": (
        "How many oncologists work in your practice?", "Number of oncologists",
        "¿Cuántos oncólogos trabajan en su consultorio?", "Número de oncólogos",
        "Quantos oncologistas trabalham na sua clínica?", "Número de oncologistas",
    ),
    "new_patients_per_year": (
        "How many new cancer patients does your practice see per year?",
        "New cancer patients per year",
        "¿Cuántos pacientes nuevos con cáncer atiende su consultorio al año?",
        "Pacientes nuevos con cáncer por año",
        "Quantos novos pacientes com câncer sua clínica atende por ano?",
        "Novos pacientes com câncer por ano",
    ),
    "asco_members_count": (
        "How many active ASCO members are in your practice?", "Number of ASCO members",
        "¿Cuántos miembros activos de ASCO hay en su consultorio?",
        "Número de miembros de ASCO",
        "Quantos membros ativos da ASCO há na sua clínica?", "Número de membros da ASCO",
    ),
    "ehr_use": (
        "Does your practice use electronic medical records?",
        "¿Su consultorio usa historia clínica electrónica?",
        "Sua clínica usa prontuário eletrônico?",
    ),
    "name": ("Your name", "Su nombre", "Seu nome", "Nombre y apellido", "Nome e sobrenome"),
    "role": ("Your position", "Su cargo", "Seu cargo"),
    "email": ("Your email", "Su correo electrónico", "Seu e-mail"),
    "phone": ("Your phone", "Su teléfono", "Seu telefone"),
    "interest_qopi": (
        "How interested are you in participating in QOPI?", "Interest in QOPI",
        "¿Qué tan interesado está en participar en QOPI?", "Interés en QOPI",
        "Qual o seu interesse em participar do QOPI?", "Interesse no QOPI",
    ),
    "interest_qcp": (
        "How interested are you in QOPI Certification?",
        "¿Qué tan interesado está en la Certificación QOPI?",
        "Qual o seu interesse na Certificação QOPI?",
    ),
    "interest_qtp": (
        "How interested are you in the Quality Training Program?",
        "¿Qué tan interesado está en el Programa de Capacitación en Calidad?",
        "Qual o seu interesse no Programa de Treinamento em Qualidade?",
    ),
    "qtp_formats": (
        "Which Quality Training Program formats interest you?",
        "¿Qué formatos del Programa de Capacitación en Calidad le interesan?",
        "Quais formatos do Programa de Treinamento em Qualidade interessam a você?",
    ),
    "licensing": (
        "Would you like to license any of the following?",
        "¿Le interesaría obtener licencia de alguno de los siguientes?",
        "Você teria interesse em licenciar algum dos seguintes?",
    ),
    "reads_english": (
        "Can your staff read and understand English?",
        "¿Su personal puede leer y entender inglés?",
        "Sua equipe consegue ler e entender inglês?",
    ),
    "willing_to_sign_agreement": (
        "Would you sign a participation agreement?",
        "¿Firmaría un acuerdo de participación?",
        "Você assinaria um acordo de participação?",
    ),
    "willing_to_pay_qcp_fee": (
        "Would you pay for QOPI Certification?",
        "¿Pagaría por la Certificación QOPI?",
        "Você pagaria pela Certificação QOPI?",
    ),
    "timeframe": (
        "When would you like to start?", "¿Cuándo le gustaría empezar?",
        "Quando você gostaria de começar?",
    ),
    "comments": ("Other comments", "Otros comentarios", "Outros comentários"),
    "consent": (
        "I have read and accept the privacy notice", "I agree to the privacy notice",
        "Consent", "He leído y acepto el aviso de privacidad",
        "Acepto el aviso de privacidad", "Consentimiento",
        "Li e aceito o aviso de privacidade", "Concordo com o aviso de privacidade",
        "Consentimento",
    ),
    "consent_at": (
        "Consent date", "Date of consent", "Fecha de consentimiento",
        "Data do consentimento",
    ),
    "permission_to_contact": (
        "May we contact you?", "¿Podemos contactarlo?", "Podemos entrar em contato com você?",
    ),
}  # fmt: skip

#: Option labels of older versions of our questionnaire, as respondents saw them; some hold
#: commas, so a multiple-choice cell is split by them before it is split at every comma.
OLDER_OPTION_LABELS: dict[str, dict[str, tuple[str, ...]]] = {
    "qtp_formats": {
        "six_month": (
            "Six-month course (5 days in person, over 6 months)",
            "Curso de seis meses (5 días presenciales, a lo largo de 6 meses)",
            "Curso de seis meses (5 dias presenciais, ao longo de 6 meses)",
        ),
        "one_day": ("One-day course", "Curso de un día", "Curso de um dia"),
        "train_the_trainer": (
            "Train-the-trainer (local faculty, trained and certified by ASCO)",
            "Formación de formadores (docentes locales, formados y certificados por ASCO)",
            "Formação de formadores (docentes locais, formados e certificados pela ASCO)",
        ),
    },
    "licensing": {
        "qtp_content": (
            "QTP content, for our own courses",
            "Contenidos del QTP, para nuestros propios cursos",
            "Conteúdo do QTP, para nossos próprios cursos",
        ),
        "quality_symposium": (
            "Quality Care Symposium, as a local edition",
            "Quality Care Symposium, como edición local",
            "Quality Care Symposium, como edição local",
        ),
    },
}
