"""Rules: the French public-contract catalogue and the review flags, as patterns over clauses.

Each catalogue item has French (and English) patterns, and the CUAD types that stand for it when
the model reads an English contract. Patterns are matched on one clause at a time, case- and
accent-insensitively.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass


def fold(text: str) -> str:
    """Lower case without accents, same length as ``text`` (offsets stay valid)."""
    out = []
    for ch in text:
        base = unicodedata.normalize("NFKD", ch)[:1] or ch
        out.append(base.lower() if len(base.lower()) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Item:
    key: str
    label: str
    patterns: tuple[str, ...]
    cuad_types: tuple[str, ...] = ()

    def regex(self) -> re.Pattern[str]:
        return re.compile("|".join(f"(?:{p})" for p in self.patterns))


CATALOGUE: tuple[Item, ...] = (
    Item("duree", "Durée et prolongation",
         (r"duree (du|de la|de l'|des) ?(present )?(contrat|convention|delegation|concession|marche|accord)",
          r"prolongation", r"prolonge", r"prend effet", r"expire (le|a)", r"pour une duree de",
          r"term of this agreement", r"shall (expire|continue)"),
         ("Expiration Date", "Renewal Term")),
    Item("resiliation", "Résiliation",
         (r"resiliation", r"resilier", r"decheance", r"terminat(e|ion)"),
         ("Termination for Convenience",)),
    Item("penalites", "Pénalités",
         (r"penalite", r"astreinte", r"liquidated damages", r"penalt(y|ies)"),
         ("Liquidated Damages",)),
    Item("revision_prix", "Révision des prix et indexation",
         (r"revision (des|du) (prix|tarif)", r"indexation", r"formule de revision", r"actualisation des prix",
          r"coefficient k", r"\bk\s*=", r"indice(s)? (insee|tp|ict|fsd)", r"price (adjustment|increase|index)"),
         ("Price Restrictions",)),
    Item("redevances", "Redevances versées à l'autorité",
         (r"redevance", r"droit d'entree", r"reversement", r"royalt(y|ies)"),
         ("Revenue/Profit Sharing",)),
    Item("biens", "Biens de retour et de reprise",
         (r"biens de retour", r"biens de reprise", r"biens propres", r"inventaire des biens", r"remise des (biens|ouvrages)"),),
    Item("ger", "Gros entretien et renouvellement (GER)",
         (r"gros entretien", r"\bger\b", r"renouvellement des (ouvrages|equipements|installations|biens|canalisations|branchements)",
          r"programme (previsionnel )?de renouvellement", r"compte de renouvellement", r"provision(s)? pour renouvellement"),),
    Item("sous_traitance", "Sous-traitance",
         (r"sous-trait", r"sous trait", r"subcontract"),),
    Item("donnees", "Propriété des données et réversibilité",
         (r"reversibilite", r"propriete des donnees", r"donnees .{0,60}(propriete|restitu|remise|transmi)",
          r"fichier des (abonnes|usagers)", r"\brgpd\b", r"donnees a caractere personnel"),),
    Item("plafonds", "Plafonds de responsabilité",
         (r"plafon\w*.{0,60}responsabilite", r"responsabilite.{0,80}(limitee|plafonnee|ne (pourra|saurait) exceder)",
          r"limitation de (la )?responsabilite", r"liability .{0,80}(shall not exceed|limited to)"),
         ("Cap on Liability",)),
    Item("assurances", "Assurances",
         (r"assurance", r"insurance"),
         ("Insurance",)),
    Item("rapport_annuel", "Rapport annuel du délégataire",
         (r"rapport annuel", r"l\.? ?(1411-3|3131-5)", r"compte rendu (technique et )?financier", r"rapport du delegataire"),),
)


@dataclass(frozen=True)
class Flag:
    key: str
    label: str
    #: the flag is raised when this is found (``present``) or when it is not (``absent``)
    when: str
    patterns: tuple[str, ...]
    cuad_types: tuple[str, ...] = ()


FLAGS: tuple[Flag, ...] = (
    Flag("no_convenience_termination", "Pas de résiliation pour convenance (ou motif d'intérêt général)", "absent",
         (r"motif d'interet general", r"resilier .{0,80}a tout moment", r"sans (avoir a justifier de )?motif",
          r"terminat\w+ .{0,80}for (any reason|convenience|no reason)", r"at any time .{0,80}terminat",
          r"terminat\w+ .{0,80}at any time"),
         ("Termination for Convenience",)),
    Flag("uncapped_liability", "Responsabilité non plafonnée", "present",
         (r"responsabilite (illimitee|non plafonnee)", r"sans (aucune )?limit\w+ de (montant|responsabilite)",
          r"unlimited liability", r"shall not (be )?limit"),
         ("Uncapped Liability",)),
    Flag("auto_renewal", "Reconduction automatique", "present",
         (r"tacite(ment)? reconduc", r"reconduit\w* tacitement", r"renouvel\w* (automatiquement|de plein droit)",
          r"automatic\w* renew", r"renew\w* automatic"),
         ()),
    Flag("exclusivity", "Exclusivité", "present",
         (r"exclusivite", r"a titre exclusif", r"(droit|contrat) exclusif", r"\bexclusive(ly)?\b(?! of)"),
         ("Exclusivity",)),
    Flag("change_of_control", "Changement de contrôle", "present",
         (r"changement de controle", r"modification .{0,40}(actionnariat|capital|controle)", r"change (of|in) control",
          r"merger|acquisition of"),
         ("Change of Control",)),
)


def match(pattern: re.Pattern[str], folded: str) -> bool:
    return pattern.search(folded) is not None
