/** The software version announced in capability records; a test keeps it equal to package.json's */
export const VERSION = '0.3.0'
