"""argparse's own words (usage, section titles, usage errors) in Chinese, for the ``assistant`` command line.

argparse looks every message up through ``gettext`` at the moment it prints it, so replacing the two
lookup functions of the argparse module is the documented seam for translating it. The CLI is one
process that only ever speaks Chinese to its users; nothing else in it uses argparse.
"""

from __future__ import annotations

import argparse

MESSAGES = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "one of the arguments %s is required": "参数 %s 须给出其中一个",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "ignored explicit argument %r": "多余的参数值 %r",
    "expected one argument": "须跟一个值",
    "expected at most one argument": "至多跟一个值",
    "expected at least one argument": "至少跟一个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项 %(option)s 有歧义，可能是 %(matches)s",
    "unexpected option string: %s": "意外的选项：%s",
    "invalid %(type)s value: %(value)r": "值 %(value)r 无效（须为 %(type)s）",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选 %(choices)s）",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知命令 %(parser_name)r（可选 %(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开 '%(filename)s'：%(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
}


def gettext(message: str) -> str:
    """argparse's message in Chinese (the English one when there is none)."""
    return MESSAGES.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The plural lookup argparse uses for 'expected N arguments'."""
    if singular == "expected %s argument":
        return "须跟 %s 个值"
    return singular if n == 1 else plural


def install() -> None:
    """Make argparse print its usage, section titles and errors in Chinese."""
    argparse._ = gettext  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
