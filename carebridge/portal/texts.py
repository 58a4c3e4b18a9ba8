"""The words of the patient's pages, in the patient's language (English when we have none).

Kept here rather than in translation catalogues: the pages are few, and a clinic adds a
language by adding one dictionary.
"""

from carebridge.notifications.rendering import language_chain

TEXTS = {
    "en": {
        "title": "Your visit",
        "when": "When",
        "where": "Where",
        "with": "With",
        "confirm": "I will come",
        "cancel": "Cancel my visit",
        "reschedule": "Find another time",
        "confirm_question": "Will you come to this visit?",
        "cancel_question": "Do you want to cancel this visit? Its time goes to another patient.",
        "reschedule_question": "Do you want to see other free times? Your visit stays as it "
        "is until you choose one.",
        "confirmed": "Thank you: your visit is confirmed.",
        "cancelled": "Your visit is cancelled.",
        "rescheduled": "Done: your visit has moved.",
        "choose": "These times are free. Choose one:",
        "taken": "Sorry, that time was just taken.",
        "no_options": "We found no free times to offer.",
        "not_active": "This visit can no longer be changed here.",
        "call": "Questions? Call",
        "invalid_title": "This link does not work",
        "invalid": "The link is not valid. Please use the link from your latest message, or "
        "call the clinic.",
        "expired_title": "This link has expired",
        "expired": "The link is no longer valid. Please call the clinic.",
        "opt_out_title": "Stop emails",
        "opt_out_question": "Do you want to stop receiving emails from {clinic}?",
        "opt_out_button": "Stop emails",
        "opted_out": "You will receive no more emails from {clinic}.",
        "back": "Back to your visit",
    },
    "es": {
        "title": "Su cita",
        "when": "Cuándo",
        "where": "Dónde",
        "with": "Con",
        "confirm": "Iré a la cita",
        "cancel": "Cancelar mi cita",
        "reschedule": "Buscar otra hora",
        "confirm_question": "¿Vendrá a esta cita?",
        "cancel_question": "¿Quiere cancelar esta cita? Su hora pasará a otro paciente.",
        "reschedule_question": "¿Quiere ver otras horas libres? Su cita sigue en pie hasta "
        "que elija una.",
        "confirmed": "Gracias: su cita está confirmada.",
        "cancelled": "Su cita está cancelada.",
        "rescheduled": "Listo: su cita cambió de hora.",
        "choose": "Estas horas están libres. Elija una:",
        "taken": "Lo sentimos, esa hora ya fue tomada.",
        "no_options": "No encontramos horas libres para ofrecerle.",
        "not_active": "Esta cita ya no se puede cambiar aquí.",
        "call": "¿Preguntas? Llame al",
        "invalid_title": "Este enlace no funciona",
        "invalid": "El enlace no es válido. Use el enlace de su último mensaje o llame a la "
        "clínica.",
        "expired_title": "Este enlace ha vencido",
        "expired": "El enlace ya no es válido. Por favor, llame a la clínica.",
        "opt_out_title": "No recibir correos",
        "opt_out_question": "¿Quiere dejar de recibir correos de {clinic}?",
        "opt_out_button": "No recibir más correos",
        "opted_out": "No recibirá más correos de {clinic}.",
        "back": "Volver a su cita",
    },
}


def texts_for(language: str) -> tuple[str, dict[str, str]]:
    """(language used, its texts) for the nearest language we have."""
    # The chain ends in English, which is always here.
    found = next(candidate for candidate in language_chain(language) if candidate in TEXTS)
    return found, TEXTS[found]
