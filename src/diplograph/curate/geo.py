"""Countries as news text names them without naming them: by the word for their people
("Israeli officials", "the Belarusian leader") or by the seat of their government
("Minsk released...", "the Kremlin", "the White House").

General knowledge used only to *propose* the metonymy data/README.md asks for (a capital
used for its government is the country); a reviewer accepts or edits each proposal. The
table holds the countries of the world a diplomatic story most often names; a word not
in it is still read by its ending against the countries a file or an article already
names ("Norvalan" -> Norvala, "Estmarkian" -> Estmark).
"""

from __future__ import annotations

from functools import lru_cache

from ..model.text import fold

#: country | words for its people (comma-separated) | seats of its government
_TABLE = """
Afghanistan|Afghan|Kabul
Albania|Albanian|Tirana
Algeria|Algerian|Algiers
Argentina|Argentine,Argentinian|Buenos Aires,Casa Rosada
Armenia|Armenian|Yerevan
Australia|Australian|Canberra
Austria|Austrian|Vienna
Azerbaijan|Azerbaijani,Azeri|Baku
Bahrain|Bahraini|Manama
Bangladesh|Bangladeshi|Dhaka
Belarus|Belarusian,Belarussian|Minsk
Belgium|Belgian|Brussels
Bosnia and Herzegovina|Bosnian|Sarajevo
Brazil|Brazilian|Brasilia,Brasília
Bulgaria|Bulgarian|Sofia
Canada|Canadian|Ottawa
Chile|Chilean|Santiago
China|Chinese|Beijing,Zhongnanhai
Colombia|Colombian|Bogota,Bogotá
Croatia|Croatian|Zagreb
Cuba|Cuban|Havana
Cyprus|Cypriot|Nicosia
Czech Republic|Czech|Prague
Denmark|Danish|Copenhagen
Egypt|Egyptian|Cairo
Estonia|Estonian|Tallinn
Ethiopia|Ethiopian|Addis Ababa
Finland|Finnish|Helsinki
France|French|Paris,Elysee,the Elysee,Élysée
Georgia|Georgian|Tbilisi
Germany|German|Berlin
Greece|Greek|Athens
Hungary|Hungarian|Budapest
India|Indian|New Delhi
Indonesia|Indonesian|Jakarta
Iran|Iranian|Tehran
Iraq|Iraqi|Baghdad
Ireland|Irish|Dublin
Israel|Israeli|Jerusalem
Italy|Italian|Rome
Japan|Japanese|Tokyo
Jordan|Jordanian|Amman
Kazakhstan|Kazakh|Astana
Kenya|Kenyan|Nairobi
Kuwait|Kuwaiti|Kuwait City
Latvia|Latvian|Riga
Lebanon|Lebanese|Beirut
Libya|Libyan|Tripoli
Lithuania|Lithuanian|Vilnius
Mexico|Mexican|Mexico City
Moldova|Moldovan|Chisinau
Morocco|Moroccan|Rabat
Netherlands|Dutch|The Hague,Amsterdam
New Zealand|New Zealander|Wellington
Nigeria|Nigerian|Abuja
North Korea|North Korean|Pyongyang
Norway|Norwegian|Oslo
Oman|Omani|Muscat
Pakistan|Pakistani|Islamabad
Palestine|Palestinian|Ramallah
Philippines|Filipino,Philippine|Manila
Poland|Polish|Warsaw
Portugal|Portuguese|Lisbon
Qatar|Qatari|Doha
Romania|Romanian|Bucharest
Russia|Russian|Moscow,Kremlin,the Kremlin
Saudi Arabia|Saudi|Riyadh
Serbia|Serbian|Belgrade
Slovakia|Slovak|Bratislava
South Africa|South African|Pretoria
South Korea|South Korean|Seoul
Spain|Spanish|Madrid
Sudan|Sudanese|Khartoum
Sweden|Swedish|Stockholm
Switzerland|Swiss|Bern
Syria|Syrian|Damascus
Taiwan|Taiwanese|Taipei
Turkey|Turkish|Ankara
Ukraine|Ukrainian|Kyiv,Kiev
United Arab Emirates|Emirati|Abu Dhabi
United Kingdom|British|London,Downing Street
United States|American,U.S.|Washington,White House,the White House
Uzbekistan|Uzbek|Tashkent
Venezuela|Venezuelan|Caracas
Vietnam|Vietnamese|Hanoi
Yemen|Yemeni|Sanaa
"""

#: Endings of a word for a people, longest first ("Norvalan" -> "Norval").
_ENDINGS = ("ians", "ians", "ian", "ans", "ese", "ish", "an", "is", "i")


@lru_cache(maxsize=1)
def _tables() -> tuple[dict[str, str], dict[str, str], set[str]]:
    demonyms: dict[str, str] = {}
    seats: dict[str, str] = {}
    countries: set[str] = set()
    for line in _TABLE.strip().splitlines():
        country, people, capitals = line.split("|")
        countries.add(fold(country))
        for word in people.split(","):
            demonyms[fold(word)] = country
            demonyms[fold(word) + "s"] = country  # "Americans", "Israelis"
        for seat in capitals.split(","):
            seats[fold(seat)] = country
    return demonyms, seats, countries


def is_country(name: str) -> bool:
    """Whether ``name`` is a country of the table."""
    return fold(name) in _tables()[2]


def country_of_people(word: str, countries: list[str] = ()) -> str | None:
    """The country ``word`` names by its people ("Israeli" -> "Israel"), from the table,
    else by its ending among ``countries`` (names already known: "Norvalan" ->
    "Norvala")."""
    key = fold(word)
    found = _tables()[0].get(key)
    if found:
        return found
    for ending in _ENDINGS:
        if key.endswith(ending) and len(key) - len(ending) >= 3:
            stem = key[: -len(ending)]
            for name in countries:
                folded = fold(name)
                if folded.startswith(stem) and len(folded) - len(stem) <= 2:
                    return name
    return None


def country_of_seat(name: str) -> str | None:
    """The country whose government ``name`` stands for ("Minsk", "the Kremlin")."""
    key = fold(name)
    seats = _tables()[1]
    return seats.get(key) or (seats.get(key[4:]) if key.startswith("the ") else None)
