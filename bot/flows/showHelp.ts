import { renderHelpCard, renderWelcomeCard } from '../../cards/simpleCards';
import type { FlowHandler } from './flowContext';

export const showHelp: FlowHandler = () => Promise.resolve({ card: renderHelpCard() });

export const answerUnknownText: FlowHandler = () => Promise.resolve({ card: renderHelpCard("I didn't catch that. Here is what I can do.") });

export const welcome: FlowHandler = () => Promise.resolve({ card: renderWelcomeCard() });
