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
        "away": "{practitioner} cannot see you at this time after all. Please choose another "
        "time, or call us.",
        "taken": "Sorry, that time was just taken.",
        "no_options": "We found no free times to offer.",
        "not_active": "This visit can no longer be changed here.",
        "call": "Questions? Call",
        "invalid_title": "This link does not work",
        "invalid": "The link is not valid. Please use the link from your latest message, or "
        "call the clinic.",
        "expired_title": "This link has expired",
        "expired": "The link is no longer valid. Please call the clinic.",
        "form_expired_title": "This page was open too long",
        "form_expired": "Please open the link from your message again and try once more, or "
        "call the clinic.",
        "server_error_title": "Something went wrong",
        "server_error": "We could not finish this. Please try again later, or call the clinic.",
        "opt_out_title": "Stop emails",
        "opt_out_question": "Do you want to stop receiving emails from {clinic}?",
        "opt_out_button": "Stop emails",
        "opted_out": "You will receive no more emails from {clinic}.",
        "back": "Back to your visit",
        "offer_title": "A time has opened up",
        "offer_hold": "We hold it for you until",
        "offer_take": "Take this time",
        "offer_decline": "No, thanks",
        "offer_won": "Done: this time is yours. We have sent you the details.",
        "offer_taken": "Sorry, this time was just taken. You stay on our waiting list.",
        "offer_ended": "This offer has ended. You stay on our waiting list.",
        "offer_declined": "Thank you for letting us know. You stay on our waiting list.",
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
        "away": "{practitioner} no podrá atenderle a esta hora. Elija otra hora, por favor, "
        "o llámenos.",
        "taken": "Lo sentimos, esa hora ya fue tomada.",
        "no_options": "No encontramos horas libres para ofrecerle.",
        "not_active": "Esta cita ya no se puede cambiar aquí.",
        "call": "¿Preguntas? Llame al",
        "invalid_title": "Este enlace no funciona",
        "invalid": "El enlace no es válido. Use el enlace de su último mensaje o llame a la "
        "clínica.",
        "expired_title": "Este enlace ha vencido",
        "expired": "El enlace ya no es válido. Por favor, llame a la clínica.",
        "form_expired_title": "Esta página estuvo abierta demasiado tiempo",
        "form_expired": "Abra otra vez el enlace de su mensaje e inténtelo de nuevo, o llame a "
        "la clínica.",
        "server_error_title": "Algo salió mal",
        "server_error": "No pudimos completar esto. Inténtelo más tarde o llame a la clínica.",
        "opt_out_title": "No recibir correos",
        "opt_out_question": "¿Quiere dejar de recibir correos de {clinic}?",
        "opt_out_button": "No recibir más correos",
        "opted_out": "No recibirá más correos de {clinic}.",
        "back": "Volver a su cita",
        "offer_title": "Se liberó una hora",
        "offer_hold": "Se la guardamos hasta las",
        "offer_take": "Tomar esta hora",
        "offer_decline": "No, gracias",
        "offer_won": "Listo: la hora es suya. Le enviamos los detalles.",
        "offer_taken": "Lo sentimos, esta hora ya fue tomada. Sigue en nuestra lista de espera.",
        "offer_ended": "Esta oferta terminó. Sigue en nuestra lista de espera.",
        "offer_declined": "Gracias por avisarnos. Sigue en nuestra lista de espera.",
    },
}


def texts_for(language: str) -> tuple[str, dict[str, str]]:
    """(language used, its texts) for the nearest language we have."""
    # The chain ends in English, which is always here.
    found = next(candidate for candidate in language_chain(language) if candidate in TEXTS)
    return found, TEXTS[found]
