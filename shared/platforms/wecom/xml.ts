import { parseXml, XmlElement } from '@rgrove/parse-xml';

/**
 * WeCom's XML as plain values, read with @rgrove/parse-xml (a conforming,
 * non-validating parser that expands no entity a DOCTYPE declares). An
 * element with child elements becomes an object of them, any other its text
 * (CDATA included, trimmed, `''` when empty); a name that repeats, or one in
 * `arrays`, becomes a list. Deeper than `maxDepth` elements is an error, as
 * is anything that is not well-formed XML.
 */
export type XmlValue = string | XmlValue[] | { [name: string]: XmlValue };

export function readXml(
  text: string,
  options: { maxDepth: number; arrays?: readonly string[] },
): Record<string, XmlValue> {
  const root = parseXml(text).root;
  if (!root) throw new Error('no root element');
  return { [root.name]: plainOf(root, 1, options) };
}

function plainOf(
  element: XmlElement,
  depth: number,
  options: { maxDepth: number; arrays?: readonly string[] },
): XmlValue {
  if (depth > options.maxDepth) throw new Error(`nested deeper than ${options.maxDepth}`);
  const children = element.children.filter((child): child is XmlElement => child instanceof XmlElement);
  if (children.length === 0) return element.text.trim();
  const value: Record<string, XmlValue> = {};
  for (const child of children) {
    const item = plainOf(child, depth + 1, options);
    const known = value[child.name];
    if (known === undefined) value[child.name] = options.arrays?.includes(child.name) ? [item] : item;
    else if (Array.isArray(known)) known.push(item);
    else value[child.name] = [known, item];
  }
  return value;
}
