"""Build the Tailor chat corpus from WordNet 3.0 (Debian wordnet-base, WordNet 3.0 licence).

Every example is "user asks about a word -> assistant answers". For each question the
answers for all 8 pole combinations (expertise x informativeness x style) are rendered
from the same synset facts, so preference pairs differ only in the dimension under study.

Poles are made lexically distinct on purpose, so that simple measures separate them:
  informativeness <-> answer length, style <-> "!" + you/your, expertise <-> EXPERT_MARKERS.
"""
import json
import random
import re

WN = "/usr/share/wordnet"
# Lexicographer file names, indexed by the lex_filenum field of data.* (lexnames(5WN)).
LEXNAMES = ("adj.all adj.pert adv.all noun.Tops noun.act noun.animal noun.artifact noun.attribute "
            "noun.body noun.cognition noun.communication noun.event noun.feeling noun.food noun.group "
            "noun.location noun.motive noun.object noun.person noun.phenomenon noun.plant "
            "noun.possession noun.process noun.quantity noun.relation noun.shape noun.state "
            "noun.substance noun.time verb.body verb.change verb.cognition verb.communication "
            "verb.competition verb.consumption verb.contact verb.creation verb.emotion verb.motion "
            "verb.perception verb.possession verb.social verb.stative verb.weather adj.ppl").split()

DIMS = ("expertise", "informativeness", "style")
# (negative pole, positive pole) per dimension; index 1 = positive.
POLES = {"expertise": ("plain", "expert"), "informativeness": ("concise", "detailed"),
         "style": ("friendly", "formal")}
CANONICAL = {"expert": "Answer as an expert, with precise terms.",
             "plain": "Explain it simply, as to a child.",
             "detailed": "Answer in a detailed way.",
             "concise": "Answer in one short sentence.",
             "formal": "Answer in a formal style.",
             "friendly": "Answer in a warm, friendly style."}
# Rare paraphrases (15%) so the base is not brittle to exact wording; canonical dominates.
PARAPHRASE = {"expert": "Use expert, technical language.", "plain": "Use simple words.",
              "detailed": "Give a full, detailed answer.", "concise": "Keep it very short.",
              "formal": "Use a formal, impersonal tone.", "friendly": "Be warm and friendly."}

# Words counted by the expertise measure (lowercased word match). Only expert templates use them.
EXPERT_MARKERS = ["denotes", "designates", "hypernym", "lexical", "category", "synonyms",
                  "sense", "term", "usage", "nominal", "semantic", "taxonomy", "subordinate",
                  "attested", "lexicographer"]
# Style measure: count of "!" plus these words. Only friendly templates use them.
FRIENDLY_MARKERS = ["!", "you", "your"]

QUESTIONS = ["What does {w} mean?", "What is {a} {w}?", "Define {w}.", "Tell me about the word {w}.",
             "What is the meaning of {w}?", "Can you explain the word {w}?", "What is meant by {w}?"]


def article(w):
    return "an" if w[0] in "aeiou" else "a"


def load_synsets():
    """offset -> dict(words, lex, hyper offsets, hypo offsets, gloss)."""
    syn = {}
    with open(f"{WN}/data.noun", encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):
                continue
            head, _, gloss = line.partition(" | ")
            t = head.split()
            off, lex, n = t[0], int(t[1]), int(t[3], 16)
            words = [t[4 + 2 * i].lower() for i in range(n)]
            i = 4 + 2 * n
            p = int(t[i]); i += 1
            hyper, hypo = [], []
            for _ in range(p):
                sym, o, pos = t[i], t[i + 1], t[i + 2]
                i += 4
                if pos == "n" and sym in ("@", "@i"):
                    hyper.append(o)
                elif pos == "n" and sym in ("~", "~i"):
                    hypo.append(o)
            syn[off] = dict(words=[re.sub(r"\(.*\)$", "", w).replace("_", " ") for w in words],
                            lex=LEXNAMES[lex], hyper=hyper, hypo=hypo, gloss=gloss.strip())
    return syn


def parse_gloss(g):
    """'def; "ex1"; "ex2"' -> (definition, [examples])."""
    exs = re.findall(r'"([^"]+)"', g)
    d = g.split('"')[0].strip().rstrip(";").strip()
    d = d.split(";")[0].strip()
    return d, [e.strip().rstrip(".") for e in exs]


def load_facts():
    """Candidate lemmas (single lowercase word) with their most frequent noun sense's facts,
    ordered by WordNet tagged-sense frequency (commonest first)."""
    syn = load_synsets()
    out = []
    with open(f"{WN}/index.noun", encoding="latin-1") as f:
        for line in f:
            if line.startswith("  "):
                continue
            t = line.split()
            w = t[0]
            if not re.fullmatch(r"[a-z]{3,14}", w):
                continue
            tag = int(t[-(int(t[2])) - 1])
            s = syn[t[-int(t[2])]]
            d, exs = parse_gloss(s["gloss"])
            bad = re.search(r"\byou|!|\(|\)|\[", s["gloss"], re.I)
            if bad or not s["hyper"] or not (8 <= len(d) <= 90):
                continue
            syns = [x for x in s["words"] if x != w][:3]
            hyper = syn[s["hyper"][0]]["words"][0]
            hypos = [syn[o]["words"][0] for o in s["hypo"][:3]]
            ex = [e for e in exs if len(e) < 80][:1]
            if not syns and not ex and not hypos:
                continue   # too few facts for a detailed answer
            out.append(dict(w=w, tag=tag, d=d, ex=ex[0] if ex else None, syns=syns,
                            hyper=hyper, hypos=hypos, lex=s["lex"]))
    out.sort(key=lambda x: -x["tag"])
    return out


def lst(xs):
    return xs[0] if len(xs) == 1 else ", ".join(xs[:-1]) + " and " + xs[-1]


def answer(f, expert, detailed, formal, rng):
    """Render one answer. expert/detailed/formal are booleans (True = positive pole)."""
    w, d, a = f["w"], f["d"], article(f["w"])
    c = rng.choice
    if expert and formal:
        core = c([f"The noun {w} denotes {d}.", f"The term {w} designates {d}.",
                  f"In its primary sense, the noun {w} denotes {d}."])
    elif expert:
        core = c([f"Great question! The term {w} denotes {d}, as you may know!",
                  f"You'll find the noun {w} denotes {d}!",
                  f"Good one! In its primary sense, the term {w} designates {d}, you see!"])
    elif formal:
        core = c([f"{a.capitalize()} {w} is {d}.", f"The word {w} means {d}.",
                  f"By {w} we mean {d}."])
    else:
        core = c([f"Oh, {a} {w} is just {d}, you know!", f"You can think of {a} {w} as {d}!",
                  f"Great question! The word {w} means {d}, you see!"])
    if not detailed:
        return core
    parts = [core]
    syns, hy, hypos, ex = f["syns"], f["hyper"], f["hypos"], f["ex"]
    if expert and formal:
        parts.append(c([f"Its hypernym is {hy}, within the lexical category {f['lex']}.",
                        f"Lexical category: {f['lex']}; hypernym: {hy}."]))
        if ex: parts.append(f"Attested usage: \"{ex}.\"")
        if syns: parts.append(f"Synonyms: {', '.join(syns)}.")
        if hypos: parts.append(f"Subordinate terms (hyponyms) include {lst(hypos)}.")
        parts.append(c(["This sense is the most frequent nominal sense.",
                        "The semantic taxonomy places it under " + hy + "."]))
    elif expert:
        parts.append(c([f"You'll note its hypernym is {hy}, in the lexical category {f['lex']}!",
                        f"Its hypernym, as you can see, is {hy}, in the lexical category {f['lex']}!"]))
        if ex: parts.append(f"Here's an attested usage for you: \"{ex}!\"")
        if syns: parts.append(f"Synonyms you can use: {', '.join(syns)}!")
        if hypos: parts.append(f"Subordinate terms you might meet include {lst(hypos)}!")
        parts.append(c(["Hope that helps you with your semantic studies!",
                        "You've got the lexical picture now!"]))
    elif formal:
        parts.append(c([f"{a.capitalize()} {w} is a kind of {hy}.", f"It is one type of {hy}."]))
        if ex: parts.append(f"For example: \"{ex}.\"")
        if syns: parts.append(f"Other words for it are {lst(syns)}.")
        if hypos: parts.append(f"Some kinds of it are {lst(hypos)}.")
        parts.append(c(["That is what the word means.", "It is a common word."]))
    else:
        parts.append(c([f"{a.capitalize()} {w} is a kind of {hy}, you see!", f"You can say it is one type of {hy}!"]))
        if ex: parts.append(f"You could say: \"{ex}!\"")
        if syns: parts.append(f"Other words you can use are {lst(syns)}!")
        if hypos: parts.append(f"Some kinds you might see are {lst(hypos)}!")
        parts.append(c(["Have fun using your new word!", "Now you know it!"]))
    return " ".join(parts)


def question(f, rng):
    return rng.choice(QUESTIONS).format(w=f["w"], a=article(f["w"]))


def system_msg(poles, rng):
    """Name 1-3 of the answer's actual poles, canonical phrase most of the time."""
    k = rng.randint(1, 3)
    chosen = rng.sample(poles, k)
    return " ".join(CANONICAL[p] if rng.random() < 0.85 else PARAPHRASE[p] for p in chosen)


def prompt_text(q, system=None):
    """Chat template render up to and including the generation prompt."""
    s = f"<|system|>\n{system}<|end|>\n" if system else ""
    return s + f"<|user|>\n{q}<|end|>\n<|assistant|>\n"


def words_in(text):
    return set(re.findall(r"[a-z]+", text.lower()))


# Echo conversations ("Repeat after me: ..."): pure copying of training lemmas and of made-up
# words spliced from two lemmas, so the base learns to copy arbitrary subword pieces from the
# user's message, the skill an answer about an unseen word needs first.
ECHO_SHARE = 0.15
ECHO_QUESTIONS = ["Repeat after me: {s}", "Say this back to me: {s}", "Please repeat: {s}"]


def echo_examples(train, held_set, n, rng):
    lemmas = [f["w"] for f in train]
    out = []
    while len(out) < n:
        items = []
        for _ in range(rng.randint(1, 4)):
            a, b = rng.choice(lemmas), rng.choice(lemmas)
            w = a
            if rng.random() < 0.5 and len(a) >= 4 and len(b) >= 4:
                w = a[:rng.randint(2, len(a) - 2)] + b[rng.randint(2, len(b) - 2):]
            if w not in held_set:
                items.append(w)
        if items:
            seq = " ".join(items)
            out.append(dict(prompt=prompt_text(rng.choice(ECHO_QUESTIONS).format(s=seq)), answer=seq, poles=[]))
    return out


def build(seed=1234, n_base=48000, n_pairs=4000, n_heldout_words=400):
    rng = random.Random(seed)
    facts = load_facts()
    # Held-out words: common-ish (frequency ranks 300-6000) but never mentioned in any other
    # word's facts and not a template/question word, so removing them costs few training facts
    # and does not bias the training poles (filtering is per fact, not per rendered answer).
    def fact_words(f):
        return words_in(" ".join([f["d"], f["ex"] or "", f["hyper"], *f["syns"], *f["hypos"]]))
    mention = {}
    for f in facts:
        for w in fact_words(f) - {f["w"]}:
            mention[w] = mention.get(w, 0) + 1
    tmpl = set()
    dummy = dict(w="zzz", d="zzz", ex="zzz", syns=["zzz"], hyper="zzz", hypos=["zzz"], lex="noun.artifact")
    for e in (0, 1):
        for i in (0, 1):
            for s in (0, 1):
                for k in range(30):
                    tmpl |= words_in(answer(dummy, e, i, s, random.Random(k)))
    for q in QUESTIONS + list(CANONICAL.values()) + list(PARAPHRASE.values()):
        tmpl |= words_in(q)
    pool = [f for f in facts[300:6000] if mention.get(f["w"], 0) == 0 and f["w"] not in tmpl]
    held = rng.sample(pool, n_heldout_words)
    held_set = {f["w"] for f in held}
    # All remaining lemmas (~28k), each in ~1.7 conversations: too many to memorise one by one, so
    # the base must learn to copy the asked word from the question (a 9k-lemma corpus seen ~5
    # times each taught it to answer about a known look-alike word instead).
    train = [f for f in facts if f["w"] not in held_set and not (fact_words(f) & held_set)]

    def clean(text):
        return not (words_in(text) & held_set)

    def combo(rng):
        return [rng.random() < 0.5 for _ in DIMS]

    def example(f, rng, with_sys):
        e, i, s = combo(rng)
        poles = [POLES[d][int(v)] for d, v in zip(DIMS, (e, i, s))]
        a = answer(f, e, i, s, rng)
        sysm = system_msg(poles, rng) if with_sys else None
        return dict(prompt=prompt_text(question(f, rng), sysm), answer=a, poles=poles)

    base, cycle = [], []
    while len(base) < n_base:
        if not cycle:   # every lemma once per pass, in a fresh order each pass
            cycle = list(train)
            rng.shuffle(cycle)
        ex = example(cycle.pop(), rng, rng.random() < 0.6)
        if clean(ex["prompt"] + ex["answer"]):
            base.append(ex)
    base += echo_examples(train, held_set, int(n_base * ECHO_SHARE), rng)
    base_held = [example(f, rng, rng.random() < 0.6) for f in held for _ in range(2)]

    def pairs(dim, facts_, n, check):
        out = []
        k = DIMS.index(dim)
        while len(out) < n:
            f = rng.choice(facts_)
            v = combo(rng)
            q = question(f, rng)
            seed_ = rng.random()
            pos, neg = list(v), list(v)
            pos[k], neg[k] = True, False
            # Same template choices for both sides (same rng seed) -> differ only in the pole.
            ca = answer(f, *pos, random.Random(seed_))
            ra = answer(f, *neg, random.Random(seed_))
            p = prompt_text(q)
            if check and not clean(p + ca + ra):
                continue
            out.append(dict(prompt=p, chosen=ca, rejected=ra))
        return out

    rm = {d: dict(train=pairs(d, train, n_pairs, True), heldout=pairs(d, held, 400, False))
          for d in DIMS}
    heldout_prompts = [question(f, rng) for f in held[:40]]
    return dict(base=base, base_held=base_held, rm=rm, held=held, train_words=train,
                heldout_prompts=heldout_prompts)


if __name__ == "__main__":
    r = random.Random(0)
    facts = load_facts()
    print(len(facts))
    for f in facts[:3] + facts[2000:2002]:
        for e in (0, 1):
            for i in (0, 1):
                for s in (0, 1):
                    print(e, i, s, answer(f, e, i, s, r))
