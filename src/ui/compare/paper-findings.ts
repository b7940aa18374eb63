/**
 * What Lampinen et al. (2025) report for each kind of dataset, in words (their exact bar heights are only
 * in the paper's figures): shown beside the lab's own chart, labelled as the paper's, never drawn as data.
 * From /work/shared/notes/paper.md; `family` is glon's own kind and has no counterpart in the paper.
 */
export const PAPER = 'Lampinen et al. 2025 (arXiv 2505.00661), Gemini 1.5 Flash';

export const PAPER_FINDINGS: Readonly<Record<string, string>> = {
  reversal:
    'On simple reversals, in-context learning beat fine-tuning on the reversed questions, and fine-tuning on the model’s own augmentations beat both.',
  celebrity:
    'On the reversal-curse data, fine-tuning answered the reversed questions near zero (below chance: it prefers names it was trained to output), in-context learning near ceiling (about 99%), and augmented fine-tuning similarly high.',
  syllogism:
    'On syllogisms, fine-tuning was above chance through word associations, in-context learning much stronger, and augmented fine-tuning as good as in-context learning or better.',
  hierarchy:
    'On the semantic hierarchy, fine-tuning reversed facts above chance inside the coherent structure; in-context learning improved reversals and syllogisms a lot, while category holdouts stayed hard; augmented fine-tuning often matched or beat in-context learning.',
};
