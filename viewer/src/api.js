// Requests to the citymodel API, with the signed-in user's bearer token when there is one.
const TOKEN = "citymodel-token";
const USER = "citymodel-user";

export class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

// the Authorization header of the signed-in user (none when anonymous)
export function authHeaders() {
  const token = sessionStorage.getItem(TOKEN);
  return token ? { Authorization: `Bearer ${token}` } : {};
}

export async function api(path, method = "GET", body = undefined) {
  const headers = authHeaders();
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (error) {
    throw new ApiError(error.message, 0);  // the server cannot be reached
  }
  if (!response.ok) {
    const answer = await response.json().catch(() => ({}));
    throw new ApiError(answer.description || `${response.status}`, response.status);
  }
  return response.status === 204 ? null : response.json();
}

// Officials exchange their API key for a token kept for this tab only.
export async function signIn(key) {
  const body = new URLSearchParams({ grant_type: "client_credentials", client_secret: key });
  const response = await fetch("/auth/token", { method: "POST", body });
  if (!response.ok) return false;
  const token = await response.json();
  sessionStorage.setItem(TOKEN, token.access_token);
  sessionStorage.setItem(USER, token.name);
  return true;
}

export function signOut() {
  sessionStorage.removeItem(TOKEN);
  sessionStorage.removeItem(USER);
}

export const signedInAs = () => sessionStorage.getItem(USER);
