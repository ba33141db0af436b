// The conversation list: select, rename in place, delete with a second click
// (no confirm() dialog, which blocks the page and every test driving it).

export function renderSidebar(list, { conversations, currentId, busyIds, onSelect, onRename, onDelete }) {
  list.replaceChildren();
  for (const c of conversations) {
    const li = document.createElement('li');
    li.className = 'conversation-item';
    li.dataset.testid = 'conversation-item';
    li.dataset.id = c.id;
    if (c.id === currentId) {
      li.classList.add('current');
      li.setAttribute('aria-current', 'true');
    }
    if (busyIds.has(c.id)) li.classList.add('busy');

    const title = document.createElement('button');
    title.type = 'button';
    title.className = 'conversation-title';
    title.dataset.testid = 'conversation-title';
    title.textContent = c.title;
    title.title = c.title;
    title.addEventListener('click', () => onSelect(c.id));

    const rename = document.createElement('button');
    rename.type = 'button';
    rename.className = 'icon-button small';
    rename.dataset.testid = 'rename';
    rename.setAttribute('aria-label', 'Rename');
    rename.title = 'Rename';
    rename.textContent = '✎';
    rename.addEventListener('click', () => startRename(li, title, c, onRename));

    const del = document.createElement('button');
    del.type = 'button';
    del.className = 'icon-button small';
    del.dataset.testid = 'delete';
    del.setAttribute('aria-label', 'Delete');
    del.title = 'Delete';
    del.textContent = '✕';
    let armed = null;
    del.addEventListener('click', () => {
      if (armed) {
        clearTimeout(armed);
        onDelete(c.id);
        return;
      }
      del.textContent = 'Delete?';
      del.classList.add('armed');
      armed = setTimeout(() => {
        armed = null;
        del.textContent = '✕';
        del.classList.remove('armed');
      }, 3000);
    });

    li.append(title, rename, del);
    list.append(li);
  }
}

function startRename(li, title, c, onRename) {
  const input = document.createElement('input');
  input.type = 'text';
  input.className = 'rename-input';
  input.dataset.testid = 'rename-input';
  input.value = c.title;
  input.setAttribute('aria-label', 'Conversation title');
  let finished = false;
  const finish = (save) => {
    if (finished) return;
    finished = true;
    if (save) onRename(c.id, input.value);
    else input.replaceWith(title);
  };
  input.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      finish(true);
    } else if (e.key === 'Escape') {
      e.preventDefault();
      finish(false);
    }
  });
  input.addEventListener('blur', () => finish(true));
  title.replaceWith(input);
  li.classList.add('renaming');
  input.focus();
  input.select();
}
