"""The words of the definitions every page, report and export counts with (storage.counted)."""

from __future__ import annotations

RULE = (
    "Chaque personne compte une seule fois par questionnaire, avec une seule série de "
    "réponses : la dernière qu'elle a terminée. Si elle n'a jamais terminé, sa dernière série "
    "commencée compte. Une série commencée plus tard et non terminée ne remplace jamais une "
    "série terminée."
)
TERMS = (
    ("Venues", "personnes qui ont commencé un questionnaire."),
    ("Ont accepté", "personnes venues qui ont donné leur accord : leurs réponses sont gardées "
                    "et comptées. Un accord refusé n'est compté nulle part."),
    ("Ont terminé", "personnes qui ont accepté et sont allées jusqu'au bout du questionnaire."),
    ("Arrêtées en route", "personnes qui ont accepté mais n'ont pas terminé (arrêt, pause, ou "
                          "questionnaire en cours) : leurs réponses données comptent."),
    ("Effacées", "personnes qui ont demandé d'effacer leurs réponses : elles ne sont comptées "
                 "nulle part, ni sur les pages, ni dans la synthèse, ni dans les exports."),
)  # fmt: skip
