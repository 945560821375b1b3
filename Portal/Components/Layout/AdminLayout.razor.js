// Keeps a person's choice of light or dark for a year, for every page of the site.
export function remember(name, value) {
    const path = new URL(document.baseURI).pathname;
    document.cookie = `${name}=${value}; path=${path}; max-age=31536000; samesite=lax`;
}
