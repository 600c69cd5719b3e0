"""Word lists of need understanding: stop words, SMS spellings, endings, context words."""

from __future__ import annotations

# Words that say nothing about the need itself.
STOP_WORDS = frozenset(
    """a ai au aux avec ce ces cet cette c ca dans de des du d en et la le les l un une uns
    pour par sur sous ou qui que quoi quand comment pourquoi je j me m moi mon ma mes tu te t
    toi ton ta tes il ils elle elles on nous vous leur leurs lui y se s son sa ses ne n pas plus
    est suis es sont etre ete fait faire fais peut peux pouvoir veux voudrais voudrait
    voulais vouloir souhaite souhaiterais souhaitons aimerais aimerait besoin aide aider
    aidez aidee help bonjour bonsoir salut merci svp stp madame monsieur
    chez tout tous toute toutes tres trop bien bon bonne avoir as avons avez ont eu
    quelqu quelque chose choses quelques un deux trois truc trucs machin si mais donc or ni car
    comme aussi encore deja meme alors puis apres avant depuis vers ici la voila voici ya
    dois doit devons faut falloir sais savoir sait connais connait trouve trouver cherche
    chercher recherche quel quelle quels quelles ou sans lequel laquelle dont cela ceci
    vraiment juste petit petite peu beaucoup moins rien jamais toujours souvent parfois
    avais avait etait etais serait sera vais va allez aller vont
    personne gens possible urgent urgence svp please ok oui non euh bah ben bref genre
    probleme problemes souci soucis question questions maintenant annee annees mois
    semaine semaines jour jours fois temps
    """.split()
)

# SMS spellings and shortcuts, on folded words. A value may be several words.
SMS = {
    "jvoudrai": "je voudrais",
    "jvoudrais": "je voudrais",
    "jvoudré": "je voudrais",
    "jvoudre": "je voudrais",
    "voudrai": "voudrais",
    "vourais": "voudrais",
    "jveux": "je veux",
    "jveu": "je veux",
    "veu": "veux",
    "jsuis": "je suis",
    "chui": "je suis",
    "chuis": "je suis",
    "jsais": "je sais",
    "jsai": "je sais",
    "jpeux": "je peux",
    "jpeu": "je peux",
    "jarrive": "je arrive",
    "jarrives": "je arrive",
    "jariv": "je arrive",
    "jai": "je ai",
    "g": "je ai",
    "jcherche": "je cherche",
    "jcomprend": "je comprends",
    "jcomprends": "je comprends",
    "comprend": "comprends",
    "c": "c est",
    "cest": "c est",
    "sa": "ca",
    "k": "que",
    "ke": "que",
    "koi": "quoi",
    "kan": "quand",
    "kom": "comment",
    "komen": "comment",
    "cmt": "comment",
    "pr": "pour",
    "pk": "pourquoi",
    "pq": "pourquoi",
    "ds": "dans",
    "bcp": "beaucoup",
    "qq": "quelques",
    "qqn": "quelqu un",
    "qqun": "quelqu un",
    "qqch": "quelque chose",
    "tt": "tout",
    "tjr": "toujours",
    "tjrs": "toujours",
    "mm": "meme",
    "jms": "jamais",
    "mtn": "maintenant",
    "pb": "probleme",
    "pbm": "probleme",
    "pblm": "probleme",
    "prob": "probleme",
    "pbs": "probleme",
    "slt": "salut",
    "bjr": "bonjour",
    "bsr": "bonsoir",
    "cc": "salut",
    "mrc": "merci",
    "mci": "merci",
    "dsl": "desole",
    "ordi": "ordinateur",
    "ordis": "ordinateur",
    "ordinnateur": "ordinateur",
    "pc": "ordinateur",
    "laptop": "ordinateur",
    "becane": "ordinateur",
    "becanne": "ordinateur",
    "tel": "telephone",
    "tph": "telephone",
    "tels": "telephone",
    "phone": "telephone",
    "smartfone": "smartphone",
    "mdp": "mot de passe",
    "mdps": "mot de passe",
    "appli": "application",
    "applis": "application",
    "app": "application",
    "apps": "application",
    "insta": "instagram",
    "fb": "facebook",
    "fesse": "facebook",
    "ia": "intelligence artificielle",
    "rdv": "rendez vous",
    "rdvs": "rendez vous",
    "e": "",
    "email": "mail",
    "emails": "mail",
    "mel": "mail",
    "mels": "mail",
    "courriel": "mail",
    "courriels": "mail",
    "mails": "mail",
    "wi": "wifi",
    "wifii": "wifi",
    "net": "internet",
    "interner": "internet",
    "intenet": "internet",
    "imp": "impots",
    "impot": "impots",
    "secu": "securite sociale",
    "gvt": "gouvernement",
    "admin": "administratif",
    "adm": "administratif",
    "infos": "information",
    "info": "information",
    "startup": "start up",
    "ecommerce": "e commerce",
    "siteweb": "site web",
    "visio": "visioconference",
    "visios": "visioconference",
    "zoom": "visioconference",
    "teams": "visioconference",
    "dev": "developpeur",
    "devs": "developpeur",
    "alternance": "alternant",
    "subventions": "subvention",
    "subv": "subvention",
    "asso": "association",
    "assos": "association",
    "mairies": "mairie",
    "ptit": "petit",
    "ptite": "petite",
    "bo": "beau",
    "oqp": "occupe",
    "vx": "vieux",
    "ss": "sous",
    "fo": "faut",
    "doc": "document",
    "docs": "document",
    "cnil": "rgpd",
    "3d": "troisd",
}

# A word glued to its elision ("lordi", "dimpots", "jsuis") is cut when the rest is known.
ELISIONS = ("qu", "l", "d", "j", "m", "t", "s", "n", "c")

# Root endings, longest first; a root keeps at least four letters.
ENDINGS = tuple(
    sorted(
        """issements issement ements ement ations ation atrices atrice ateurs ateur
        euses euse eurs eur ables able ives ive iques ique istes iste ees ee er ez ai ais ait
        ant aient ions erai erais era ent e s""".split(),
        key=len,
        reverse=True,
    )
)

# Words that say who is asking rather than what is needed ("la mairie a subi un
# rançongiciel"): the profile already carries that, so they weigh little on their own.
CONTEXT_WORDS = frozenset(
    """mairie commune communes communaute collectivite intercommunalite association
    entreprise societe boite salarie salaries equipe agent agents usager usagers habitant
    habitants benevole benevoles client clients conseiller conseillere""".split()
)
CONTEXT_WEIGHT = 0.3
