"""Small uploaded files: a clean pool in both formats, and the pieces to break it with."""

from __future__ import annotations

FEATURES = "feature,value,min,max\nsex,Female,1,3\nsex,Male,1,3\nage,18-39,1,3\nage,40+,1,3\n"
HEADER = "id,sex,age,household,name,email,phone,address,postcode\n"


def person(i: int, sex: str | None = None, age: str | None = None, name: str | None = None) -> str:
    sex = sex or ("Female" if i % 2 else "Male")
    age = age or ("18-39" if i % 3 else "40+")
    return f"P{i:03d},{sex},{age},H{i},{name or f'Volunteer {i}'},v{i}@example.org,01254 00000{i % 10},{i} Mill Lane,BB1 7DY\n"


def people(count: int = 12, **overrides) -> str:
    return HEADER + "".join(person(i) for i in range(1, count + 1))


CATEGORIES = "category,name,min,max\nGender,Female,2,2\nGender,Male,2,2\n"
RESPONDENTS = "nationbuilder_id,first_name,Gender,email,primary_address1,primary_zip\n" + "".join(
    f"{i},Name{i},{' female ' if i % 2 else 'MALE'},n{i}@example.org,{i} High St,BB2 6AT\n" for i in range(1, 11)
)
