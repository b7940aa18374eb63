/** The lab's terms in plain words, for the glossary popover (Glossary.svelte). */
export const GLOSSARY: readonly { term: string; meaning: string }[] = [
  { term: 'ICL', meaning: 'In-context learning: the training facts are put in front of each question, in the prompt; the model is not changed.' },
  { term: 'fine-tuning (ft)', meaning: 'The model’s weights are trained on the facts; the question is then asked with nothing in front of it.' },
  { term: 'LoRA', meaning: 'A cheap way to fine-tune: the model stays frozen and a small add-on (an adapter) is trained instead.' },
  { term: 'ft-split', meaning: 'Fine-tuning on the documents split into single sentences, instead of whole documents.' },
  { term: 'augmentation', meaning: 'Before fine-tuning, the model writes out what follows from the facts (reversals, rephrasings), and trains on those sentences too.' },
  { term: 'chance', meaning: 'The accuracy of guessing: 1 in the number of options (50% with two). The dashed line in each chart.' },
  { term: 'ceiling', meaning: 'ft+oracle: its extra sentences are written by rule, not by the model, and include the test statements themselves; it shows the best fine-tuning can do, not what the model can.' },
  { term: 'acc', meaning: 'An item counts as right when the correct option gets the highest total log-probability.' },
  { term: 'acc_norm', meaning: 'The same, but each option’s log-probability is divided by its length in characters, so long options are not penalised for being long.' },
  { term: 'nats', meaning: 'The unit of a log-probability (natural logarithm): 0 means certain, −1 about 37%, −5 under 1%.' },
  { term: '95% interval', meaning: 'The range the accuracy would likely fall in with other test items of the same kind; bars whose whiskers overlap are not clearly different.' },
];
