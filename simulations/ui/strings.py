"""Labels of the exercise screens in each interface language (English is the fallback)."""

from __future__ import annotations

from simulations.engine.model import tr

STRINGS: dict[str, dict[str, str]] = {
    "pause": {"en": "Pause", "fr": "Pause", "ar": "إيقاف مؤقت"},
    "resume": {"en": "Resume", "fr": "Reprendre", "ar": "استئناف"},
    "paused": {"en": "PAUSED", "fr": "EN PAUSE", "ar": "متوقف مؤقتًا"},
    "slower": {"en": "Slower", "fr": "Ralentir", "ar": "أبطأ"},
    "faster": {"en": "Faster", "fr": "Accélérer", "ar": "أسرع"},
    "release": {"en": "Release inject", "fr": "Lancer un événement", "ar": "إطلاق حدث"},
    "note": {"en": "Observer note", "fr": "Note d'observation", "ar": "ملاحظة المراقب"},
    "scores": {"en": "Scoreboard", "fr": "Tableau des scores", "ar": "لوحة النتائج"},
    "end": {"en": "End exercise", "fr": "Terminer l'exercice", "ar": "إنهاء التمرين"},
    "feed": {"en": "Injects", "fr": "Événements", "ar": "الأحداث"},
    "open_decisions": {
        "en": "Decisions to take",
        "fr": "Décisions à prendre",
        "ar": "قرارات مطلوبة",
    },
    "no_decisions": {
        "en": "No decision pending",
        "fr": "Aucune décision en attente",
        "ar": "لا قرارات معلّقة",
    },
    "decision_for": {"en": "Decision for", "fr": "Décision pour", "ar": "قرار مطلوب من"},
    "choose": {
        "en": "Choose with the mouse or keys 1 to 9. Esc: back.",
        "fr": "Choisir à la souris ou avec les touches 1 à 9. Échap : retour.",
        "ar": "اختر بالفأرة أو بالمفاتيح من 1 إلى 9. Esc: رجوع.",
    },
    "time_left": {"en": "Time left", "fr": "Temps restant", "ar": "الوقت المتبقي"},
    "from": {"en": "From", "fr": "De", "ar": "من"},
    "close": {"en": "Close", "fr": "Fermer", "ar": "إغلاق"},
    "what": {"en": "What", "fr": "Quoi", "ar": "ماذا"},
    "where": {"en": "Where", "fr": "Où", "ar": "أين"},
    "when": {"en": "When", "fr": "Quand", "ar": "متى"},
    "who": {"en": "Who", "fr": "Qui", "ar": "من"},
    "source": {"en": "Source", "fr": "Source", "ar": "المصدر"},
    "reliability": {"en": "Reliability", "fr": "Fiabilité", "ar": "الموثوقية"},
    "actions": {"en": "Actions taken", "fr": "Mesures prises", "ar": "الإجراءات المتخذة"},
    "incident_report": {"en": "Incident report", "fr": "Rapport d'incident", "ar": "تقرير حادث"},
    "release_title": {
        "en": "Release an inject now",
        "fr": "Lancer un événement maintenant",
        "ar": "إطلاق حدث الآن",
    },
    "manual": {"en": "controller only", "fr": "contrôleur seulement", "ar": "للمراقب فقط"},
    "scheduled": {"en": "scheduled", "fr": "prévu", "ar": "مجدول"},
    "conditional": {"en": "on condition", "fr": "sur condition", "ar": "مشروط"},
    "nothing_to_release": {
        "en": "Every inject has been released.",
        "fr": "Tous les événements ont été lancés.",
        "ar": "أُطلقت جميع الأحداث.",
    },
    "note_title": {"en": "Observer note", "fr": "Note d'observation", "ar": "ملاحظة المراقب"},
    "note_help": {
        "en": "Type, then Enter to save or Esc to cancel.",
        "fr": "Saisir, puis Entrée pour enregistrer ou Échap pour annuler.",
        "ar": "اكتب ثم اضغط Enter للحفظ أو Esc للإلغاء.",
    },
    "save": {"en": "Save", "fr": "Enregistrer", "ar": "حفظ"},
    "cancel": {"en": "Cancel", "fr": "Annuler", "ar": "إلغاء"},
    "confirm_end": {
        "en": "End the exercise now? Open decisions will count as missed.",
        "fr": "Terminer l'exercice maintenant ? Les décisions ouvertes compteront comme manquées.",
        "ar": "إنهاء التمرين الآن؟ ستُحتسب القرارات المفتوحة قرارات فائتة.",
    },
    "yes": {"en": "Yes, end", "fr": "Oui, terminer", "ar": "نعم، إنهاء"},
    "no": {"en": "No, continue", "fr": "Non, continuer", "ar": "لا، متابعة"},
    "overall": {"en": "Overall", "fr": "Global", "ar": "الإجمالي"},
    "pass_mark": {"en": "Pass mark", "fr": "Seuil de réussite", "ar": "حد النجاح"},
    "by_dimension": {
        "en": "By doctrine dimension",
        "fr": "Par dimension doctrinale",
        "ar": "حسب البعد العقائدي",
    },
    "by_team": {"en": "By team", "fr": "Par équipe", "ar": "حسب الفريق"},
    "no_scores": {
        "en": "No decision taken yet.",
        "fr": "Aucune décision prise pour l'instant.",
        "ar": "لم يُتخذ أي قرار بعد.",
    },
    "review": {
        "en": "After-action review",
        "fr": "Revue après action",
        "ar": "مراجعة ما بعد التمرين",
    },
    "missed": {
        "en": "No decision in time",
        "fr": "Pas de décision à temps",
        "ar": "لم يُتخذ قرار في الوقت المحدد",
    },
    "chosen": {"en": "Chosen", "fr": "Choix", "ar": "الخيار"},
    "why": {"en": "Doctrine", "fr": "Doctrine", "ar": "العقيدة"},
    "passed": {"en": "PASSED", "fr": "RÉUSSI", "ar": "ناجح"},
    "failed": {"en": "NOT PASSED", "fr": "NON RÉUSSI", "ar": "غير ناجح"},
    "observer_note": {"en": "Observer note", "fr": "Note d'observation", "ar": "ملاحظة المراقب"},
    "scroll_help": {
        "en": "Wheel or arrow keys to scroll. Esc or Q to quit.",
        "fr": "Molette ou flèches pour défiler. Échap ou Q pour quitter.",
        "ar": "استخدم العجلة أو الأسهم للتمرير. Esc أو Q للخروج.",
    },
    "keys_help": {
        "en": "Space pause · +/- speed · D decision · R release · N note · S scores · E end · F11 full screen",
        "fr": "Espace pause · +/- vitesse · D décision · R lancer · N note · S scores · E fin · F11 plein écran",
        "ar": "المسافة إيقاف · +/- السرعة · D قرار · R إطلاق · N ملاحظة · S النتائج · E إنهاء · F11 ملء الشاشة",
    },
    "ended": {"en": "Exercise ended", "fr": "Exercice terminé", "ar": "انتهى التمرين"},
    "decision_recorded": {
        "en": "Decision recorded",
        "fr": "Décision enregistrée",
        "ar": "سُجّل القرار",
    },
    "auto_note": {
        "en": "Automatic run: decisions drawn from the seed.",
        "fr": "Partie automatique : décisions tirées de la graine.",
        "ar": "تشغيل تلقائي: القرارات مختارة وفق البذرة العشوائية.",
    },
    "more_below": {
        "en": "More below: arrow keys or mouse wheel",
        "fr": "Suite plus bas : flèches ou molette",
        "ar": "المزيد في الأسفل: الأسهم أو عجلة الفأرة",
    },
    "start": {"en": "Start", "fr": "Commencer", "ar": "ابدأ"},
    "went_well": {"en": "Went well", "fr": "Points forts", "ar": "نقاط القوة"},
    "to_improve": {"en": "To improve", "fr": "À améliorer", "ar": "للتحسين"},
    "min": {"en": "min", "fr": "min", "ar": "دقيقة"},
    "marker_crowd": {"en": "Crowd", "fr": "Foule", "ar": "حشد"},
    "marker_cordon": {"en": "Cordon", "fr": "Bouclage", "ar": "طوق"},
    "marker_ied": {"en": "Suspected device", "fr": "Engin suspect", "ar": "جسم مشبوه"},
    "marker_drone": {"en": "Drone", "fr": "Drone", "ar": "طائرة مسيّرة"},
    "marker_fire": {"en": "Fire", "fr": "Incendie", "ar": "حريق"},
    "marker_checkpoint": {"en": "Checkpoint", "fr": "Point de contrôle", "ar": "نقطة تفتيش"},
    "marker_patrol": {"en": "Patrol", "fr": "Patrouille", "ar": "دورية"},
    "marker_calm": {"en": "Calm", "fr": "Calme", "ar": "هدوء"},
    "marker_rumour": {"en": "Rumour", "fr": "Rumeur", "ar": "شائعة"},
    "kind_radio": {"en": "Radio", "fr": "Radio", "ar": "لاسلكي"},
    "kind_sage": {"en": "Incident report", "fr": "Rapport d'incident", "ar": "تقرير حادث"},
    "kind_social": {"en": "Social media", "fr": "Réseaux sociaux", "ar": "وسائل التواصل"},
    "kind_crowd": {"en": "Crowd", "fr": "Foule", "ar": "حشد"},
    "kind_drone": {"en": "Drone", "fr": "Drone", "ar": "طائرة مسيّرة"},
    "kind_ied": {"en": "Suspected device", "fr": "Engin suspect", "ar": "جسم مشبوه"},
    "kind_report": {"en": "Report", "fr": "Compte rendu", "ar": "بلاغ"},
    "kind_liaison": {"en": "Liaison", "fr": "Liaison", "ar": "اتصال"},
    "kind_media": {"en": "Media", "fr": "Médias", "ar": "إعلام"},
}


def t(key: str, lang: str) -> str:
    """The label ``key`` in ``lang``, falling back to English."""
    return tr(STRINGS[key], lang)


def colon(lang: str) -> str:
    """A colon and space as the language writes them (French puts a space before it)."""
    return "\u00a0: " if lang == "fr" else ": "


def comma(lang: str) -> str:
    """The list separator of the language (Arabic has its own comma)."""
    return "، " if lang == "ar" else ", "
