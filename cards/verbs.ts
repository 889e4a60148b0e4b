/** Action.Execute verbs: the card actions the bot answers. Defined here once. */
export const VERBS = {
  start: 'loa.start',
  chooseTemplate: 'loa.chooseTemplate',
  changeTemplate: 'loa.changeTemplate',
  reviewDraft: 'loa.reviewDraft',
  editDraft: 'loa.editDraft',
  sendDraft: 'loa.sendDraft',
  cancelDraft: 'loa.cancelDraft',
  help: 'loa.help',
  listAgreements: 'loa.listAgreements',
  confirmDelete: 'loa.confirmDelete',
  deleteAgreement: 'loa.deleteAgreement',
  newFromAgreement: 'loa.newFromAgreement',
  resumeDraft: 'loa.resumeDraft',
  discardAndStart: 'loa.discardAndStart',
  restoreDraft: 'loa.restoreDraft',
  sendWithoutLink: 'loa.sendWithoutLink',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

export const ALL_VERBS: readonly string[] = Object.values(VERBS);
