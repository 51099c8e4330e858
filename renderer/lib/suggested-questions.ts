import type { DocumentPart } from '../../common/contract.js';

/** A few questions to start a new document with; one names a section when the document has headings. */
export function suggestedQuestions(title: string, parts: readonly DocumentPart[]): string[] {
  const questions = ['What is this document about?', 'What are the three most important points?', 'Which terms does it define, and what do they mean?'];
  const section = parts.find((p) => p.kind === 'section' && p.label.trim().length > 3 && p.label.length < 80);
  if (section) questions.splice(1, 0, `What does the section “${section.label.trim()}” say?`);
  else if (title.trim()) questions.splice(1, 0, `Who is “${title.trim()}” written for?`);
  return questions.slice(0, 4);
}
