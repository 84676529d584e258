/** Identifiers: 64-hex container IDs and Docker-style generated names. */
// Web Crypto, not node:crypto: loading node:crypto costs the CLI ~10 ms at start-up (ps uses shortId).

export function newId(): string {
  // Docker avoids all-numeric short IDs, which read like numbers in scripts.
  for (;;) {
    const id = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
    if (!/^\d+$/.test(id.slice(0, 12))) return id;
  }
}

export function shortId(id: string): string {
  return id.replace(/^sha256:/, "").slice(0, 12);
}

const ADJECTIVES = [
  "admiring", "agitated", "amazing", "angry", "awesome", "blissful", "bold", "boring", "brave", "busy",
  "charming", "clever", "compassionate", "confident", "cool", "cranky", "crazy", "dazzling", "determined",
  "distracted", "dreamy", "eager", "ecstatic", "elastic", "elated", "elegant", "eloquent", "epic", "fervent",
  "festive", "flamboyant", "focused", "friendly", "frosty", "gallant", "gifted", "goofy", "gracious",
  "happy", "hardcore", "heuristic", "hopeful", "hungry", "infallible", "inspiring", "jolly", "jovial",
  "keen", "kind", "laughing", "loving", "lucid", "magical", "modest", "musing", "mystifying", "naughty",
  "nervous", "nice", "nifty", "nostalgic", "objective", "optimistic", "peaceful", "pedantic", "pensive",
  "practical", "priceless", "quirky", "quizzical", "relaxed", "reverent", "romantic", "sad", "serene",
  "sharp", "silly", "sleepy", "stoic", "strange", "stupefied", "suspicious", "sweet", "tender", "thirsty",
  "trusting", "upbeat", "vibrant", "vigilant", "vigorous", "wizardly", "wonderful", "xenodochial",
  "youthful", "zealous", "zen",
];

const SURNAMES = [
  "albattani", "allen", "almeida", "archimedes", "ardinghelli", "babbage", "banach", "bardeen", "bartik",
  "bell", "benz", "bhabha", "bohr", "booth", "bose", "brahmagupta", "brown", "carson", "cerf", "chandrasekhar",
  "colden", "cori", "curie", "darwin", "davinci", "dijkstra", "einstein", "elion", "engelbart", "euclid",
  "euler", "fermat", "fermi", "feynman", "franklin", "galileo", "gates", "goldberg", "goodall", "hamilton",
  "hawking", "heisenberg", "hermann", "hodgkin", "hoover", "hopper", "hypatia", "jackson", "jang", "jennings",
  "johnson", "kalam", "kepler", "khorana", "knuth", "kowalevski", "lalande", "lamarr", "leakey", "leavitt",
  "lovelace", "lumiere", "mayer", "mccarthy", "mcclintock", "meitner", "mendel", "merkle", "mirzakhani",
  "morse", "murdock", "newton", "nobel", "noether", "pare", "pasteur", "perlman", "pike", "poincare", "ptolemy",
  "raman", "ramanujan", "ride", "ritchie", "rosalind", "saha", "sammet", "shannon", "shirley", "sinoussi",
  "stallman", "swanson", "tesla", "thompson", "torvalds", "turing", "varahamihira", "villani", "wescoff",
  "wilson", "wing", "wozniak", "wright", "yalow", "yonath",
];

export function generateName(taken: (name: string) => boolean): string {
  for (let attempt = 0; ; attempt++) {
    const pick = <T>(xs: T[]) => xs[crypto.getRandomValues(new Uint16Array(1))[0] % xs.length];
    const name = `${pick(ADJECTIVES)}_${pick(SURNAMES)}${attempt > 10 ? attempt : ""}`;
    if (!taken(name)) return name;
  }
}
