import type { AdaptiveCard } from '../cards/adaptive-card';
import { truncate } from '../cards/text';
import {
  actionSet,
  adaptiveCard,
  container,
  executeAction,
  heading,
  paragraph,
  textRun,
  type CardElement,
} from './card-elements';
import { CATEGORY_LABELS, REPORT_CATEGORIES } from './report';
import { REPORT_VERBS } from './report-card';
import { MAX_CONTACT_LENGTH, MAX_DESCRIPTION_LENGTH, type FieldProblem } from './report-input';

/** Values to fill the form with: from the `report` command, or from a rejected submission. */
export interface ReportFormValues {
  publicGalleryName?: string;
  imageDefinition?: string;
  imageVersion?: string;
  category?: string;
  description?: string;
  reporterContact?: string;
}

const MAX_SHORT_INPUT = 200;

/**
 * Renders the abuse report form. Clients never render input values as Markdown, so prefilled
 * text goes into the inputs as it is. Problems with a submission are shown in text runs.
 */
export function reportFormCard(
  values: ReportFormValues = {},
  problems: readonly FieldProblem[] = [],
): AdaptiveCard {
  const body: CardElement[] = [
    heading('Report abuse of a public gallery'),
    paragraph([
      textRun(
        'The report goes to the team channels subscribed to abuse reports, where the team can ' +
          'acknowledge it and start an unpublish request.',
        { isSubtle: true },
      ),
    ]),
  ];
  if (problems.length > 0) {
    body.push(
      container(
        problems
          .slice(0, 10)
          .map((problem) =>
            paragraph([
              textRun(`${problem.field}: `, { weight: 'Bolder' }),
              textRun(truncate(problem.message, 300)),
            ]),
          ),
        { style: 'attention' },
      ),
    );
  }
  body.push(
    textInput('publicGalleryName', 'Public gallery name', values.publicGalleryName, {
      isRequired: true,
      placeholder: 'contoso-1a2b3c4d-…',
    }),
    textInput('imageDefinition', 'Image definition (optional)', values.imageDefinition),
    textInput('imageVersion', 'Image version (optional)', values.imageVersion, {
      placeholder: '1.0.0',
    }),
    {
      type: 'Input.ChoiceSet',
      id: 'category',
      label: 'Category',
      isRequired: true,
      errorMessage: 'Choose a category.',
      style: 'compact',
      ...(isCategory(values.category) ? { value: values.category } : {}),
      choices: REPORT_CATEGORIES.map((category) => ({
        title: CATEGORY_LABELS[category],
        value: category,
      })),
    },
    textInput('description', 'What is wrong with the image?', values.description, {
      isRequired: true,
      isMultiline: true,
      maxLength: MAX_DESCRIPTION_LENGTH,
    }),
    textInput('reporterContact', 'How to reach you (optional)', values.reporterContact, {
      maxLength: MAX_CONTACT_LENGTH,
    }),
    actionSet([
      executeAction('Send report', REPORT_VERBS.submit, {}, { associatedInputs: 'auto' }),
    ]),
  );
  return adaptiveCard(body, 'Report abuse of a public gallery');
}

function textInput(
  id: string,
  label: string,
  value: string | undefined,
  options: {
    isRequired?: boolean;
    isMultiline?: boolean;
    maxLength?: number;
    placeholder?: string;
  } = {},
): CardElement {
  const maxLength = options.maxLength ?? MAX_SHORT_INPUT;
  return {
    type: 'Input.Text',
    id,
    label,
    maxLength,
    ...(options.isRequired ? { isRequired: true, errorMessage: `${label} is required.` } : {}),
    ...(options.isMultiline ? { isMultiline: true } : {}),
    ...(options.placeholder ? { placeholder: options.placeholder } : {}),
    ...(value ? { value: truncate(value, maxLength) } : {}),
  };
}

function isCategory(value: string | undefined): boolean {
  return (REPORT_CATEGORIES as readonly string[]).includes(value ?? '');
}
