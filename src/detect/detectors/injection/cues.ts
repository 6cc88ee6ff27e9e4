// Cues shared by the role-hijack and jailbreak rules: "without restrictions" in five languages.

/** "Without restrictions / no rules / uncensored": what turns a harmless role-play request into a hijack. */
export const FREEDOM_ALL =
  /\b(?:without\s+(?:any\s+)?(?:restrictions?|limits?|limitations?|rules|filters?|filtering|censorship|guidelines|boundaries|ethics|morals?|constraints?|(?:moral|ethical)\s+\w+|(?:safety|content)\s+(?:filters?|guidelines|polic(?:y|ies)|restrictions?|rules))|(?:no|zero)\s+(?:restrictions?|limits?|limitations?|rules|filters?|censorship|guidelines|boundaries|ethics|morals?|constraints?|(?:moral|ethical)\s+\w+|(?:safety|content)\s+(?:filters?|guidelines|polic(?:y|ies)|restrictions?|rules))|unrestricted|unfiltered|uncensored|jailbroken|amoral|unethical|not\s+(?:bound|restricted|limited)\s+by|free\s+(?:from|of)\s+(?:all\s+|any\s+)?(?:restrictions?|rules|limitations?|constraints?|guidelines|filters?|censorship|polic(?:y|ies))|(?:breaks?|ignores?|bypass(?:es)?)\s+(?:all\s+|any\s+)?(?:the\s+)?(?:content\s+|safety\s+)?(?:rules|guidelines|polic(?:y|ies)|restrictions|filters)|can\s+do\s+anything|(?:doesn't|does\s+not|don't|do\s+not|never|won't|will\s+not)\s+(?:refuse|follow\s+(?:any\s+)?(?:rules|guidelines|polic(?:y|ies)))|sans\s+(?:aucune?\s+)?(?:restrictions?|limites?|limitations?|règles|filtres?|censure|contraintes?)|zonder\s+(?:enige\s+|alle\s+)?(?:beperkingen|regels|grenzen|filters?|censuur)|ohne\s+(?:jegliche\s+|irgendwelche\s+)?(?:einschränkungen|beschränkungen|regeln|grenzen|filter|zensur)|sin\s+(?:ninguna\s+|ningún\s+)?(?:restricciones|límites|reglas|filtros?|censura))/gi;
/** The same cue, for one-off tests (a global regex carries state between calls). */
export const FREEDOM = new RegExp(FREEDOM_ALL.source, "i");

/** A window after `end` (bounded) in which a cue may complete a phrase. */
export function after(text: string, end: number, length: number): string {
  return text.slice(end, Math.min(text.length, end + length));
}
