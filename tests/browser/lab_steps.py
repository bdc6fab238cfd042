"""What a trainee does in JupyterLab, as steps the browser tests can take and wait on."""

from __future__ import annotations

_NOTEBOOK = "window.jupyterapp && window.jupyterapp.shell.currentWidget"

# True once every code cell has run, the kernel is idle and no cell is waiting to run.
_ALL_RUN = """() => {
  const w = window.jupyterapp.shell.currentWidget;
  if (!w || !w.content || !w.sessionContext.session || !w.sessionContext.session.kernel) return false;
  const cells = w.content.widgets.filter(c => c.model.type === 'code');
  const waiting = document.querySelectorAll('.jp-InputPrompt').length &&
    [...document.querySelectorAll('.jp-Notebook .jp-InputPrompt')].some(p => p.textContent.includes('*'));
  return cells.every(c => c.model.executionCount !== null) && !waiting
    && w.sessionContext.session.kernel.status === 'idle';
}"""


def open_notebook(page, lab, path: str) -> None:
    """Open a notebook from a fresh workspace and wait until its kernel is ready."""
    url, token, _root, _home = lab
    page.goto(f"{url}/lab/tree/{path}?reset&token={token}")
    page.wait_for_function(
        f"p => {_NOTEBOOK} && window.jupyterapp.shell.currentWidget.context"
        " && window.jupyterapp.shell.currentWidget.context.path === p",
        arg=path, timeout=60_000,
    )
    page.evaluate(
        """async () => { const w = window.jupyterapp.shell.currentWidget;
           await w.context.ready; await w.sessionContext.ready; }"""
    )


def run_all(page, timeout: int = 120_000) -> None:
    """Run every cell (Run > Run All Cells) and wait until all have run and the kernel is idle."""
    page.evaluate("async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    page.wait_for_function(_ALL_RUN, timeout=timeout)


def cell_errors(page) -> list[str]:
    """The text of every error shown in a cell's output, and every widget that failed to show."""
    errors = page.eval_on_selector_all(
        ".jp-Notebook [data-mime-type='application/vnd.jupyter.stderr'],"
        " .jp-Notebook .jp-RenderedText[data-mime-type='application/vnd.jupyter.error']",
        "nodes => nodes.map(n => n.innerText)",
    )
    broken = page.eval_on_selector_all(
        ".jp-Notebook .jp-OutputArea-output",
        "nodes => nodes.map(n => n.innerText).filter(t => /Error displaying widget|Loading widget/.test(t))",
    )
    return errors + broken


def widget_cells(page) -> int:
    """How many code cells create a widget (their source ends with one of the course's widgets)."""
    return page.evaluate(
        """() => window.jupyterapp.shell.currentWidget.content.widgets
             .filter(c => c.model.type === 'code')
             .filter(c => /(ReflectionBox|StatementSorter|StagedStory|AgreementBuilder|LetterChecker|PracticeConversation)\\(/
               .test(c.model.sharedModel.getSource())).length"""
    )


def rendered_widgets(page) -> int:
    """How many cell outputs show a rendered ipywidget."""
    return page.eval_on_selector_all(
        ".jp-Notebook .jp-OutputArea-output", "nodes => nodes.filter(n => n.querySelector('.jupyter-widgets')).length"
    )


def restart_kernel(page) -> None:
    """Restart the notebook's kernel (as Kernel > Restart Kernel does) and wait until it answers.

    It first waits for the kernel the notebook opened with to be idle: a restart sent while that
    kernel is still starting can leave the session without a kernel that ever reports idle. After
    the restart it waits for the new kernel to reply to an empty request, rather than for a status
    message, which a busy machine can deliver before the page listens for it."""
    page.wait_for_function(
        "() => window.jupyterapp.shell.currentWidget.sessionContext.session?.kernel?.status === 'idle'", timeout=120_000
    )
    page.evaluate(
        """async () => {
             const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
             await kernel.restart();
             const reply = kernel.requestExecute({code: "", silent: true, store_history: false}).done;
             const late = new Promise((_, fail) => setTimeout(() => fail(new Error("the kernel did not answer within 120 s of a restart")), 120000));
             await Promise.race([reply, late]);
           }"""
    )
