import os

# Tests never reach a model hub (they run where there is none): set before anything imports huggingface_hub.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import pytest

from voice.records import Customer, Identity, Interaction, Turn
from voice.store import Store


@pytest.fixture
def store():
    s = Store.open(":memory:", create=True)
    s.set_settings(region="ES", company_domains=["lunahogar.example"])
    yield s
    s.close()


def make_email(n: int, sender: str = "ana@gmail.example", *, text: str | None = None, thread: str | None = None,
               direction: str = "inbound", to: str = "soporte@lunahogar.example", ts: str = "2026-10-01T10:00:00"):
    """A hand-built email Interaction, as the email reader would produce it."""
    mid = f"m{n}@x.example"
    inbound = direction == "inbound"
    return Interaction(
        channel="email", source_path=f"mail/{n}.eml", text=text if text is not None else f"Mensaje número {n}",
        timestamp=ts, direction=direction, subject=f"Asunto {n}", external_id=mid, thread_id=thread or mid,
        identities=[Identity("email", sender, "from", inbound), Identity("email", to, "to", not inbound)],
        raw=f"Message-ID: <{mid}>\n\nMensaje {n}", hash_basis=mid,
    )


def make_call(n: int, phone: str | None = "612 345 678", customer_text: str = "Mi lavadora llegó rota"):
    ids = [Identity("phone", phone, "caller")] if phone else []
    turns = [Turn(0, "agent", "Luna Hogar, ¿en qué puedo ayudarle?", "Agente", 0.0, 3.0),
             Turn(1, "customer", customer_text, "Cliente", 3.0, 8.5)]
    return Interaction(channel="call", source_path=f"calls/{n}.txt", text=customer_text, turns=turns,
                       external_id=f"CALL-{n}", identities=ids, raw=f"call {n}", hash_basis=f"CALL-{n}")


def make_survey(n: int, *, email: str | None = None, crm_id: str | None = None, respondent: str | None = None,
                nps: float | None = 9, comment: str = "Todo bien"):
    ids = []
    if email:
        ids.append(Identity("email", email, "respondent"))
    if crm_id:
        ids.append(Identity("crm_id", crm_id, "respondent"))
    return Interaction(channel="survey", source_path="surveys/s.csv", source_pos=f"row {n + 1}", text=comment,
                       scores={"nps": nps} if nps is not None else {}, external_id=respondent,
                       identities=ids, metadata={"touchpoint": "entrega"}, raw=f"row {n}",
                       hash_basis=f"survey-{n}-{email}-{crm_id}-{respondent}")


@pytest.fixture
def customers():
    return [
        Customer("C001", "Ana Ruiz", emails=["Ana@Gmail.example"], phones=["+34 600 111 222"], segment="Premium",
                 lifetime_value=1234.5, consent={"email": True, "marketing": False}, source_path="crm.csv",
                 source_pos="row 2"),
        Customer("C017", "Javier Morales", emails=["javier.morales@gmail.example"], phones=["612 345 678"],
                 segment="Estándar", lifetime_value=310.0, source_path="crm.csv", source_pos="row 3"),
        Customer("C020", "Tom Baker", emails=["tom@yahoo.example"], phones=["+44 7700 900123"],
                 source_path="crm.csv", source_pos="row 4"),
    ]
