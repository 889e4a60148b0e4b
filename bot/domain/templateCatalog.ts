import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { languageOf } from '../i18n';

export const FIELD_TYPES = ['text', 'multiline', 'email', 'number', 'date', 'choice'] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

/** Longest value accepted when a template field sets no maxLength. */
export const DEFAULT_MAX_LENGTH: Record<FieldType, number> = {
  text: 200,
  multiline: 2000,
  email: 254,
  number: 32,
  date: 10,
  choice: 200,
};

/** Words or phrases a rep may type instead of a name; read by the sentence parser only. */
const wordList = z.array(z.string().min(1).max(100)).max(50).optional();

const fieldSchema = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{0,63}$/, 'must start with a letter and hold only letters, digits and _'),
    label: z.string().min(1).max(100),
    type: z.enum(FIELD_TYPES),
    required: z.boolean().default(false),
    maxLength: z.number().int().positive().max(10000).optional(),
    pattern: z
      .string()
      .refine((p) => {
        try {
          new RegExp(p, 'u');
          return true;
        } catch {
          return false;
        }
      }, 'is not a valid regular expression')
      .optional(),
    patternHint: z.string().max(200).optional(),
    placeholder: z.string().max(100).optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    choices: z.array(z.object({ title: z.string().min(1), value: z.string().min(1), aliases: wordList })).min(1).optional(),
    /** Other words reps use for this field ("assets", "remise"), so a sentence can name it. */
    aliases: wordList,
    /** For a date: the name of a date field this one must come after (an end date after its start). */
    after: z.string().optional(),
  })
  .refine((f) => f.type !== 'choice' || (f.choices?.length ?? 0) > 0, { message: 'a choice field needs choices', path: ['choices'] });

const fieldLabelsSchema = z.strictObject({
  label: z.string().min(1).max(100).optional(),
  patternHint: z.string().max(200).optional(),
  placeholder: z.string().max(100).optional(),
  /** Choice value -> its title in this language. */
  choices: z.record(z.string(), z.string().min(1)).optional(),
});

const templateLabelsSchema = z.strictObject({
  name: z.string().min(1).max(100).optional(),
  description: z.string().max(500).optional(),
  /** Field name -> its words in this language. */
  fields: z.record(z.string(), fieldLabelsSchema).optional(),
});

const templateSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1).max(100),
  description: z.string().max(500),
  /** Other names reps give this template ("special bid"): naming one picks the template. */
  aliases: wordList,
  /** Words that hint at this template ("discount") without naming it. */
  keywords: wordList,
  fields: z.array(fieldSchema).max(100),
  /** The template's words in other languages, by language ("fr"); what is not given stays as above. */
  labels: z.record(z.string().regex(/^[a-z]{2,3}$/, 'must be a language code such as "fr"'), templateLabelsSchema).optional(),
});

const catalogSchema = z.object({ templates: z.array(templateSchema).min(1) }).superRefine((catalog, ctx) => {
  const ids = new Set<string>();
  catalog.templates.forEach((t, i) => {
    if (ids.has(t.id)) ctx.addIssue({ code: 'custom', path: ['templates', i, 'id'], message: `duplicate template id ${t.id}` });
    ids.add(t.id);
    const names = new Set<string>();
    t.fields.forEach((f, j) => {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', path: ['templates', i, 'fields', j, 'name'], message: `duplicate field ${f.name}` });
      names.add(f.name);
    });
    for (const [language, labels] of Object.entries(t.labels ?? {})) {
      for (const [name, field] of Object.entries(labels.fields ?? {})) {
        const path = ['templates', i, 'labels', language, 'fields', name];
        const known = t.fields.find((f) => f.name === name);
        if (!known) ctx.addIssue({ code: 'custom', path, message: `labels a field ${name} the template does not have` });
        for (const value of Object.keys(field.choices ?? {})) {
          if (!known?.choices?.some((c) => c.value === value)) ctx.addIssue({ code: 'custom', path: [...path, 'choices', value], message: `labels a choice ${value} that ${name} does not offer` });
        }
      }
    }
    t.fields.forEach((f, j) => {
      if (f.after === undefined) return;
      const other = t.fields.find((o) => o.name === f.after);
      if (f.type !== 'date' || other?.type !== 'date') ctx.addIssue({ code: 'custom', path: ['templates', i, 'fields', j, 'after'], message: `"after" must link two date fields; ${f.after} is not a date field of this template` });
    });
  });
});

export type TemplateField = z.infer<typeof fieldSchema>;
export type LoaTemplate = z.infer<typeof templateSchema>;

/** The LOA templates reps can choose from, read once at startup. */
export class TemplateCatalog {
  private readonly byId: Map<string, LoaTemplate>;

  constructor(readonly templates: readonly LoaTemplate[]) {
    this.byId = new Map(templates.map((t) => [t.id, t]));
  }

  get(id: string): LoaTemplate | undefined {
    return this.byId.get(id);
  }

  static fromJson(json: unknown, source = 'catalog'): TemplateCatalog {
    const parsed = catalogSchema.safeParse(json);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
      throw new Error(`The LOA template catalog ${source} is invalid:\n${problems}`);
    }
    return new TemplateCatalog(Object.freeze(parsed.data.templates));
  }

  static fromFile(path: string): TemplateCatalog {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (err) {
      throw new Error(`Cannot read the LOA template catalog at ${path}: ${(err as Error).message}`);
    }
    return TemplateCatalog.fromJson(json, path);
  }
}

/**
 * The template in the rep's language: its name, description, field labels, pattern hints,
 * placeholders and choice titles from `labels`, where it has them; the rest as written.
 * Names, values, aliases and rules stay as they are, so the result validates and sends alike.
 */
export function localizedTemplate<T extends Pick<LoaTemplate, 'name' | 'description' | 'labels'> & { fields?: LoaTemplate['fields'] }>(template: T, locale: string | undefined): T {
  const labels = template.labels?.[languageOf(locale)];
  if (!labels) return template;
  const fields = template.fields?.map((f) => {
    const words = labels.fields?.[f.name];
    if (!words) return f;
    return {
      ...f,
      label: words.label ?? f.label,
      ...(words.patternHint !== undefined ? { patternHint: words.patternHint } : {}),
      ...(words.placeholder !== undefined ? { placeholder: words.placeholder } : {}),
      ...(f.choices ? { choices: f.choices.map((c) => ({ ...c, title: words.choices?.[c.value] ?? c.title })) } : {}),
    };
  });
  return { ...template, name: labels.name ?? template.name, description: labels.description ?? template.description, ...(fields ? { fields } : {}) };
}

export function maxLengthOf(field: TemplateField): number {
  return field.maxLength ?? DEFAULT_MAX_LENGTH[field.type];
}
