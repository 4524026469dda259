/**
 * A small builder for UpdateItem expressions, so each write says what it does
 * (`set`, `add`, `setIfAbsent`) instead of hand-concatenating strings. Pure:
 * `build()` returns the command fields and is tested without a database.
 */
export class UpdateBuilder {
  private readonly sets: string[] = [];
  private readonly adds: string[] = [];
  private readonly removes: string[] = [];
  private readonly deletes: string[] = [];
  private readonly names: Record<string, string> = {};
  private readonly values: Record<string, unknown> = {};
  private counter = 0;

  /** `#name` placeholder for an attribute. */
  name(attribute: string): string {
    const placeholder = `#${attribute.replace(/[^A-Za-z0-9_]/g, '_')}`;
    this.names[placeholder] = attribute;
    return placeholder;
  }

  /** `:vN` placeholder for a value. */
  value(value: unknown): string {
    const placeholder = `:v${this.counter++}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** SET attribute = value (skipped when value is undefined). */
  set(attribute: string, value: unknown): this {
    if (value !== undefined) this.sets.push(`${this.name(attribute)} = ${this.value(value)}`);
    return this;
  }

  /** SET attribute = if_not_exists(attribute, value). */
  setIfAbsent(attribute: string, value: unknown): this {
    if (value === undefined) return this;
    const name = this.name(attribute);
    this.sets.push(`${name} = if_not_exists(${name}, ${this.value(value)})`);
    return this;
  }

  /**
   * SET attribute = if_not_exists(preferred, value): the value, unless `preferred`
   * holds one (which then stays, or becomes, the attribute's value).
   */
  setUnlessPreferred(attribute: string, preferred: string, value: unknown): this {
    if (value === undefined) return this;
    this.sets.push(`${this.name(attribute)} = if_not_exists(${this.name(preferred)}, ${this.value(value)})`);
    return this;
  }

  /** ADD attribute n (skipped when n is 0). */
  add(attribute: string, n: number): this {
    if (n !== 0) this.adds.push(`${this.name(attribute)} ${this.value(n)}`);
    return this;
  }

  /** ADD a set of values to a set attribute. */
  addToSet(attribute: string, members: Set<string>): this {
    this.adds.push(`${this.name(attribute)} ${this.value(members)}`);
    return this;
  }

  /** DELETE values from a set attribute. */
  deleteFromSet(attribute: string, members: Set<string>): this {
    this.deletes.push(`${this.name(attribute)} ${this.value(members)}`);
    return this;
  }

  /** REMOVE attributes (an index key removed takes the item out of a sparse index). */
  remove(...attributes: string[]): this {
    for (const attribute of attributes) this.removes.push(this.name(attribute));
    return this;
  }

  /** The UpdateItem fields; `condition` may use names from `name()` and `value()`. */
  build(condition?: string) {
    const clauses: string[] = [];
    if (this.sets.length) clauses.push(`SET ${this.sets.join(', ')}`);
    if (this.adds.length) clauses.push(`ADD ${this.adds.join(', ')}`);
    if (this.removes.length) clauses.push(`REMOVE ${this.removes.join(', ')}`);
    if (this.deletes.length) clauses.push(`DELETE ${this.deletes.join(', ')}`);
    return {
      UpdateExpression: clauses.join(' '),
      ExpressionAttributeNames: { ...this.names },
      ...(Object.keys(this.values).length ? { ExpressionAttributeValues: { ...this.values } } : {}),
      ...(condition ? { ConditionExpression: condition } : {}),
    };
  }
}
